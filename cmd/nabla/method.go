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
	lr float64
}

// addFlags declares the flags on cmd, with the methods' defaults.
func (mf *methodFlags) addFlags(cmd *cobra.Command) {
	d := optim.DefaultParams()
	f := cmd.Flags()
	f.Float64Var(&mf.lr, "lr", d.LR, "the learning rate `η` of the first-order methods")
}

// params returns the parameters of the flags, or an error for one out of
// range.
func (mf *methodFlags) params() (optim.Params, error) {
	for _, c := range []struct {
		flag string
		v    float64
		ok   bool
		want string
	}{
		{"lr", mf.lr, mf.lr > 0 && !math.IsInf(mf.lr, 1), "a positive learning rate"},
	} {
		if !c.ok {
			return optim.Params{}, fmt.Errorf("--%s %v: want %s", c.flag, c.v, c.want)
		}
	}
	return optim.Params{LR: mf.lr}, nil
}
