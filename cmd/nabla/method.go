package main

import (
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/optim"
)

// methodFlags are the optimizer parameters of nabla optimize and nabla
// plot.
type methodFlags struct {
	lr, beta, beta1, beta2, eps float64
	memory                      int
}

// addFlags declares the flags on cmd, with the methods' defaults.
func (mf *methodFlags) addFlags(cmd *cobra.Command) {
	d := optim.DefaultParams()
	f := cmd.Flags()
	f.Float64Var(&mf.lr, "lr", d.LR, "the learning rate `η` of the first-order methods")
	f.Float64Var(&mf.beta, "beta", d.Beta, "the momentum β of momentum and nesterov, in (0, 1)")
	f.Float64Var(&mf.beta1, "beta1", d.Beta1, "adam's decay rate β1 of the average gradient, in (0, 1)")
	f.Float64Var(&mf.beta2, "beta2", d.Beta2, "adam's (and rmsprop's) decay rate β2 of the average squared gradient, in (0, 1)")
	f.Float64Var(&mf.eps, "eps", d.Eps, "the ε > 0 that keeps the divisions of adagrad, rmsprop and adam from zero")
	f.IntVar(&mf.memory, "memory", d.Memory, "the number `M` of correction pairs lbfgs keeps, at least 1")
}

// params returns the parameters of the flags, or an error for one out of
// range.
func (mf *methodFlags) params() (optim.Params, error) {
	unit := func(v float64) bool { return v > 0 && v < 1 }
	for _, c := range []struct {
		flag string
		v    float64
		ok   bool
		want string
	}{
		{"lr", mf.lr, mf.lr > 0 && !math.IsInf(mf.lr, 1), "a positive learning rate"},
		{"beta", mf.beta, unit(mf.beta), "0 < β < 1"},
		{"beta1", mf.beta1, unit(mf.beta1), "0 < β1 < 1"},
		{"beta2", mf.beta2, unit(mf.beta2), "0 < β2 < 1"},
		{"eps", mf.eps, mf.eps > 0 && !math.IsInf(mf.eps, 1), "a positive ε"},
		{"memory", float64(mf.memory), mf.memory >= 1, "at least one pair"},
	} {
		if !c.ok {
			return optim.Params{}, fmt.Errorf("--%s %v: want %s", c.flag, c.v, c.want)
		}
	}
	return optim.Params{LR: mf.lr, Beta: mf.beta, Beta1: mf.beta1, Beta2: mf.beta2, Eps: mf.eps, Memory: mf.memory}, nil
}
