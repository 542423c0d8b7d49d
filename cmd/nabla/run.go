package main

// value returns the function's value at the point; a value that is not
// finite comes with the *ad.NonFiniteError that explains it.
func (j *job) value() (float64, error) {
	return j.f.EvalVec(j.x)
}

// gradient returns the value and the gradient, flattened in the order of
// the variables. Non-finite results come with their explanation.
func (j *job) gradient() (value float64, grad []float64, err error) {
	grad = make([]float64, len(j.x))
	value, err = j.f.GradVec(j.x, grad)
	return value, grad, err
}
