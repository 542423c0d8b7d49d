//go:build !openblas

package ad

var blasInUse = BLASInfo{Name: "gonum"}
