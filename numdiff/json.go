package numdiff

import (
	"encoding/json"
	"math"
	"strconv"
)

// jsonFloat writes a float64 as a JSON number, or as the string "NaN",
// "+Inf" or "-Inf", which JSON numbers cannot express: a check reports
// non-finite values rather than failing to print them.
type jsonFloat float64

func (v jsonFloat) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte(strconv.Quote(strconv.FormatFloat(f, 'g', -1, 64))), nil
	}
	return json.Marshal(f)
}

func (v *jsonFloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		*v = jsonFloat(f)
		return err
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*v = jsonFloat(f)
	return err
}

func jsonFloats(fs []float64) []jsonFloat {
	out := make([]jsonFloat, len(fs))
	for i, f := range fs {
		out[i] = jsonFloat(f)
	}
	return out
}

type componentJSON struct {
	Kind      string     `json:"kind"`
	Name      string     `json:"name"`
	Index     []int      `json:"index"`
	AD        jsonFloat  `json:"ad"`
	Numeric   []Estimate `json:"numeric"`
	AbsError  jsonFloat  `json:"abs_error"`
	RelError  jsonFloat  `json:"rel_error"`
	Tolerance jsonFloat  `json:"tolerance"`
	OK        bool       `json:"ok"`
	Problem   string     `json:"problem,omitempty"`
}

// MarshalJSON writes the component with non-finite numbers as strings.
func (c Component) MarshalJSON() ([]byte, error) {
	return json.Marshal(componentJSON{c.Kind, c.Name, c.Index, jsonFloat(c.AD), c.Numeric,
		jsonFloat(c.AbsError), jsonFloat(c.RelError), jsonFloat(c.Tolerance), c.OK, c.Problem})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Component) UnmarshalJSON(b []byte) error {
	var j componentJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Component{j.Kind, j.Name, j.Index, float64(j.AD), j.Numeric,
		float64(j.AbsError), float64(j.RelError), float64(j.Tolerance), j.OK, j.Problem}
	return nil
}

type estimateJSON struct {
	Method      Method    `json:"method"`
	Step        jsonFloat `json:"step"`
	Value       jsonFloat `json:"value"`
	AbsError    jsonFloat `json:"abs_error"`
	RelError    jsonFloat `json:"rel_error"`
	Truncation  jsonFloat `json:"truncation"`
	RoundOff    jsonFloat `json:"round_off"`
	Tolerance   jsonFloat `json:"tolerance"`
	Why         string    `json:"why"`
	OK          bool      `json:"ok"`
	Unsupported bool      `json:"unsupported,omitempty"`
	Problem     string    `json:"problem,omitempty"`
}

// MarshalJSON writes the estimate with non-finite numbers as strings.
func (e Estimate) MarshalJSON() ([]byte, error) {
	return json.Marshal(estimateJSON{e.Method, jsonFloat(e.Step), jsonFloat(e.Value), jsonFloat(e.AbsError),
		jsonFloat(e.RelError), jsonFloat(e.Truncation), jsonFloat(e.RoundOff), jsonFloat(e.Tolerance),
		e.Why, e.OK, e.Unsupported, e.Problem})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	var j estimateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Estimate{j.Method, float64(j.Step), float64(j.Value), float64(j.AbsError), float64(j.RelError),
		float64(j.Truncation), float64(j.RoundOff), float64(j.Tolerance), j.Why, j.OK, j.Unsupported, j.Problem}
	return nil
}

type seriesJSON struct {
	Method    Method      `json:"method"`
	Steps     []jsonFloat `json:"steps"`
	Values    []jsonFloat `json:"values"`
	Errors    []jsonFloat `json:"errors"`
	BestStep  jsonFloat   `json:"best_step"`
	BestError jsonFloat   `json:"best_error"`
	Problem   string      `json:"problem,omitempty"`
}

// MarshalJSON writes the series with non-finite numbers as strings.
func (s Series) MarshalJSON() ([]byte, error) {
	return json.Marshal(seriesJSON{s.Method, jsonFloats(s.Steps), jsonFloats(s.Values), jsonFloats(s.Errors),
		jsonFloat(s.BestStep), jsonFloat(s.BestError), s.Problem})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Series) UnmarshalJSON(b []byte) error {
	var j seriesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Series{j.Method, floatsOf(j.Steps), floatsOf(j.Values), floatsOf(j.Errors),
		float64(j.BestStep), float64(j.BestError), j.Problem}
	return nil
}

type sweepJSON struct {
	Name   string    `json:"name"`
	AD     jsonFloat `json:"ad"`
	Series []Series  `json:"series"`
}

// MarshalJSON writes the sweep with non-finite numbers as strings: the AD
// derivative itself may be infinite.
func (s Sweep) MarshalJSON() ([]byte, error) {
	return json.Marshal(sweepJSON{s.Name, jsonFloat(s.AD), s.Series})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Sweep) UnmarshalJSON(b []byte) error {
	var j sweepJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Sweep{j.Name, float64(j.AD), j.Series}
	return nil
}

func floatsOf(js []jsonFloat) []float64 {
	if js == nil {
		return nil
	}
	out := make([]float64, len(js))
	for i, f := range js {
		out[i] = float64(f)
	}
	return out
}
