package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/serve"
)

func init() { register(newServeCmd) }

func newServeCmd() *cobra.Command {
	var (
		addr string
		src  onceString
		text string
	)
	src.s = &text
	// The example is in Long, not in Example, whose lines are run as
	// tests: a server runs until it is stopped.
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [-e EXPR]",
		Short: "Start the playground: sliders, 3-D surfaces and optimizer paths in the browser",
		Long: `Serve starts the playground, a web page that draws a function of one or two
variables and redraws it as sliders move: the contour map with the gradient
field and an optimizer's path from a start point (click the map to move
it), the surface in 3-D with the same path, and at the start the value,
the gradient and the derivative along a direction u(θ). A function of one
variable is drawn with its derivative and the tangent at the start.

Every number is nabla's, the same as nabla grad, jvp and optimize --trace
print for the same input. The page works offline: everything it loads is
served from this program, and it loads nothing from another host.

It listens on --addr, the loopback address by default, so that only this
machine can reach it, and prints the page's URL; -e sets the expression
the page opens with. Interrupt it (Ctrl-C) to stop it.

The page talks to the server through a small JSON API, POST /api/view,
which docs/playground.md describes.

For example, nabla serve -e '100*(y - x^2)^2 + (1 - x)^2' --addr
127.0.0.1:9000 serves the page with Rosenbrock's function on port 9000.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := serve.New(serve.Options{Expr: text})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return &usageError{cmd, fmt.Errorf("--addr: %v", err)}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return listen(ctx, ln, s, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen on this `HOST:PORT` (port 0 picks a free one)")
	f.VarP(&src, "expr", "e", "the expression the page opens with")
	return cmd
}

// listen serves h on ln until ctx is done, having printed the URL to w,
// and then waits a little for the requests under way.
func listen(ctx context.Context, ln net.Listener, h http.Handler, w io.Writer) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(w, "the playground is at http://%s/ (Ctrl-C stops it)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
