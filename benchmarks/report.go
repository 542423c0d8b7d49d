package benchmarks

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Formats are the ways a report can be written.
var Formats = []string{"text", "markdown", "csv", "json"}

// Write writes the report in one of Formats.
func (rep *Report) Write(w io.Writer, format string) error {
	switch format {
	case "text":
		return rep.writeText(w)
	case "markdown":
		return rep.writeMarkdown(w)
	case "csv":
		return rep.writeCSV(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"results":         rep.Results,
			"summary":         rep.Summary(),
			"complete":        rep.Complete,
			"seconds":         rep.Elapsed.Seconds(),
			"compile_seconds": rep.Compile.Seconds(),
		})
	}
	return fmt.Errorf("unknown format %q; the formats are %s", format, strings.Join(Formats, ", "))
}

var columns = []string{"problem", "n", "method", "status", "f - f*", "iterations", "evaluations", "time", "solved"}

// row returns a run's cells in the order of columns.
func (r *Run) row() []string {
	status := r.Result.Status.String()
	if r.Err != "" {
		status = "error"
	}
	solved := ""
	for _, tau := range Taus {
		if r.Solved[TauKey(tau)] {
			solved = TauKey(tau)
		}
	}
	if solved == "" {
		solved = "-"
	}
	return []string{
		r.Problem, strconv.Itoa(r.N), r.Label(), status,
		formatGap(r.Result.F - r.FStar), strconv.Itoa(r.Result.Iterations), strconv.Itoa(r.Evaluations),
		FormatSeconds(r.Result.Time.Seconds()), solved,
	}
}

func formatGap(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'e', 2, 64)
}

// FormatSeconds writes a time in seconds as the report's tables do: 170µs,
// 1.2ms, 1.30s.
func FormatSeconds(s float64) string {
	switch {
	case s < 1e-3:
		return fmt.Sprintf("%.0fµs", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.1fms", s*1e3)
	}
	return fmt.Sprintf("%.2fs", s)
}

func (rep *Report) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	for _, r := range rep.Results {
		fmt.Fprintln(tw, strings.Join(r.row(), "\t"))
	}
	fmt.Fprintln(tw)
	rep.summaryTable(tw, "\t", "", "")
	fmt.Fprintln(tw, "\n"+rep.compileLine())
	if !rep.Complete {
		fmt.Fprintln(tw, "\n(interrupted: partial results)")
	}
	return tw.Flush()
}

// summaryTable writes the summary as rows of cells between sep, each row
// inside open and close (markdown's "| " and " |", or nothing).
func (rep *Report) summaryTable(w io.Writer, sep, open, close string) {
	head := []string{"method", "runs"}
	for _, tau := range Taus {
		head = append(head, "solved "+TauKey(tau))
	}
	head = append(head, "evaluations", "geo-mean time")
	fmt.Fprintln(w, open+strings.Join(head, sep)+close)
	if open != "" {
		fmt.Fprintln(w, open+strings.Repeat("---"+sep, len(head)-1)+"---"+close)
	}
	for _, s := range rep.Summary() {
		cells := []string{s.Method, strconv.Itoa(s.Runs)}
		for _, tau := range Taus {
			cells = append(cells, strconv.Itoa(s.Solved[TauKey(tau)]))
		}
		cells = append(cells, strconv.Itoa(s.Evals), FormatSeconds(s.GeoTime))
		fmt.Fprintln(w, open+strings.Join(cells, sep)+close)
	}
}

func (rep *Report) writeMarkdown(w io.Writer) error {
	fmt.Fprintln(w, "| "+strings.Join(columns, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(columns)))
	for _, r := range rep.Results {
		fmt.Fprintln(w, "| "+strings.Join(r.row(), " | ")+" |")
	}
	fmt.Fprintln(w)
	rep.summaryTable(w, " | ", "| ", " |")
	fmt.Fprintln(w, "\n"+rep.compileLine())
	return nil
}

// compileLine says what was compiled and how long it took, which the run
// times leave out.
func (rep *Report) compileLine() string {
	took := FormatSeconds(rep.Compile.Seconds())
	if slices.Contains(rep.Engines, "interp") {
		return fmt.Sprintf("Compiling the problems' functions and derivatives took %s in all, once per problem before its runs; the run times leave it out.", took)
	}
	if len(rep.Engines) == 1 {
		return fmt.Sprintf("Compiling the problems' functions for f(x0) alone took %s in all; engine %s runs Go compiled into nabla and compiles nothing.", took, rep.Engines[0])
	}
	return fmt.Sprintf("Compiling the problems' functions for f(x0) alone took %s in all; engines %s run Go compiled into nabla and compile nothing.", took, strings.Join(rep.Engines, " and "))
}

func (rep *Report) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"problem", "n", "method", "status", "f", "f_star", "gradient_norm", "iterations", "evaluations", "gradient_evaluations", "time_seconds", "compile_seconds"}
	for _, tau := range Taus {
		head = append(head, "solved_"+TauKey(tau))
	}
	head = append(head, "engine")
	if err := cw.Write(head); err != nil {
		return err
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range rep.Results {
		rec := []string{r.Problem, strconv.Itoa(r.N), r.Method, r.Result.Status.String(), g(r.Result.F), g(r.FStar),
			g(r.Result.GradNorm), strconv.Itoa(r.Result.Iterations), strconv.Itoa(r.Evaluations),
			strconv.Itoa(r.Result.GradEvals), g(r.Result.Time.Seconds()), g(r.Compile.Seconds())}
		for _, tau := range Taus {
			rec = append(rec, strconv.FormatBool(r.Solved[TauKey(tau)]))
		}
		rec = append(rec, r.Engine)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
