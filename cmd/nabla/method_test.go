package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A method parameter out of range is a usage error: exit status 2, which
// the scripts cannot tell from status 1.
func TestMethodFlagsOutOfRange(t *testing.T) {
	for _, tt := range []struct {
		args string
		msg  string
	}{
		{"optimize --method gd --lr -0.5", "--lr -0.5: want a positive learning rate"},
		{"optimize --method gd --lr +Inf", "--lr +Inf: want a positive learning rate"},
		{"optimize --method momentum --beta 1", "--beta 1: want 0 < β < 1"},
		{"optimize --method adam --beta1 0", "--beta1 0: want 0 < β1 < 1"},
		{"optimize --method rmsprop --beta2 2", "--beta2 2: want 0 < β2 < 1"},
		{"optimize --method adagrad --eps -1", "--eps -1: want a positive ε"},
		{"optimize --method lbfgs --memory -3", "--memory -3: want at least one pair"},
		{"plot -o a.svg --path nesterov --beta 1.5", "--beta 1.5: want 0 < β < 1"},
	} {
		t.Run(tt.args, func(t *testing.T) {
			args := append(strings.Fields(tt.args), "-e", "x^2 + y^2", "--at", "x=1,y=1")
			var stdout, stderr bytes.Buffer
			assert.Equal(t, exitUsage, run(args, nil, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), "nabla: "+tt.msg+"\n")
		})
	}
}
