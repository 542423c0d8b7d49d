package gradbench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"time"

	"github.com/nabla-ad/nabla/ad"
)

// MaxLineSize is the longest message Serve reads, in bytes; a longer one is
// answered with an error and skipped.
const MaxLineSize = 256 << 20

// maxLineSize is MaxLineSize, a variable so that tests can lower it.
var maxLineSize = MaxLineSize

// maxRuns bounds min_runs, so that the durations of the runs fit in memory.
const maxRuns = 10_000_000

// Serve runs nabla as a GradBench tool: it reads messages from r, one JSON
// object a line, and answers each with one line on w, flushed before the
// next message is read. Diagnostics go to log. It returns nil at the end
// of r, or the first error reading r or writing w.
func Serve(r io.Reader, w io.Writer, log io.Writer) error {
	s := &server{in: bufio.NewReaderSize(r, 1<<16), out: bufio.NewWriterSize(w, 1<<16), log: log}
	for {
		line, tooLong, err := s.readLine()
		if tooLong || len(bytes.TrimSpace(line)) > 0 {
			s.n++
			if tooLong {
				s.fail(nil, fmt.Errorf("message longer than %d bytes", maxLineSize))
			} else {
				s.handle(line)
			}
			if err := s.out.Flush(); err != nil {
				return err
			}
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}

// A server is the state of one conversation with an eval.
type server struct {
	in  *bufio.Reader
	out *bufio.Writer
	log io.Writer
	n   int // messages read, for the log
}

// readLine returns the next line of input, and whether it was longer than
// MaxLineSize (then it is dropped).
func (s *server) readLine() (line []byte, tooLong bool, err error) {
	for {
		chunk, err := s.in.ReadSlice('\n')
		if len(line)+len(chunk) > maxLineSize {
			tooLong, line = true, nil
		} else if !tooLong {
			line = append(line, chunk...)
		}
		if err != bufio.ErrBufferFull {
			return line, tooLong, err
		}
	}
}

// logf writes a diagnostic line naming the message.
func (s *server) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "gradbench: message %d: %s\n", s.n, fmt.Sprintf(format, args...))
}

// handle answers one message.
func (s *server) handle(line []byte) {
	msg, err := decodeObject("", line)
	if err != nil {
		s.fail(nil, fmt.Errorf("malformed message: %v", err))
		return
	}
	id := msg.member("id")
	if id == nil {
		s.fail(nil, msg.err)
		return
	}
	if _, err := decodeNumber(id); err != nil {
		s.fail(nil, fmt.Errorf("id: %v", err))
		return
	}
	defer func() {
		// Every error should be returned, not panicked; this keeps a
		// bug from ending the conversation. Responses are written
		// only once computed, so none is half written.
		if r := recover(); r != nil {
			s.fail(id, fmt.Errorf("internal error: %v (this is a bug in nabla; please report it with the message)", r))
		}
	}()
	switch kind := msg.string("kind"); {
	case msg.err != nil:
		s.fail(id, msg.err)
	case kind == "start":
		s.start(id, msg)
	case kind == "define":
		s.define(id, msg)
	case kind == "evaluate":
		s.evaluate(id, msg)
	case kind == "analysis":
		s.analysis(id, msg)
	default:
		s.fail(id, fmt.Errorf("kind: unknown kind %q", kind))
	}
}

// fail answers with success false and err, and logs err. A nil id is
// written as null.
func (s *server) fail(id json.RawMessage, err error) {
	s.logf("%v", err)
	msg, _ := json.Marshal(err.Error())
	s.begin(id)
	s.out.WriteString(`,"success":false,"error":`)
	s.out.Write(msg)
	s.out.WriteString("}\n")
}

// begin writes the start of a response: the opening brace and the id.
func (s *server) begin(id json.RawMessage) {
	if id == nil {
		id = json.RawMessage("null")
	}
	s.out.WriteString(`{"id":`)
	s.out.Write(id)
}

// Config is what the start response's config says about how nabla runs
// the functions.
type Config struct {
	// Path is how the functions run: "interpreter" for compiled programs
	// (ad.Program) run by nabla's engine, as opposed to Go generated from
	// them.
	Path string `json:"path"`
	// Threads is GOMAXPROCS, the number of threads that run Go code at
	// once; set the environment variable GOMAXPROCS=1 to measure one.
	Threads int `json:"threads"`
	// BLAS is the BLAS under the matrix products and linear algebra, as
	// nabla version prints it: "gonum (pure Go)", or with a build tagged
	// openblas, OpenBLAS, its build and its number of threads.
	BLAS string `json:"blas"`
	// Modules are the evals nabla implements.
	Modules []string `json:"modules"`
}

func (s *server) start(id json.RawMessage, msg *object) {
	if msg.has("eval") {
		s.logf("eval %s", msg.members["eval"])
	}
	config, _ := json.Marshal(Config{
		Path:    "interpreter",
		Threads: runtime.GOMAXPROCS(0),
		BLAS:    ad.BLAS().String(),
		Modules: Modules(),
	})
	s.begin(id)
	s.out.WriteString(`,"tool":"nabla","config":`)
	s.out.Write(config)
	s.out.WriteString("}\n")
}

func (s *server) define(id json.RawMessage, msg *object) {
	name := msg.string("module")
	if msg.err != nil {
		s.fail(id, msg.err)
		return
	}
	if _, err := findModule(name); err != nil {
		s.fail(id, err)
		return
	}
	s.begin(id)
	s.out.WriteString(`,"success":true}` + "\n")
}

func (s *server) analysis(id json.RawMessage, msg *object) {
	if valid, ok := msg.members["valid"]; ok && string(valid) == "false" {
		s.logf("the eval judged the output for id %s wrong: %s", msg.members["of"], msg.members["error"])
	}
	s.begin(id)
	s.out.WriteString("}\n")
}

func (s *server) evaluate(id json.RawMessage, msg *object) {
	mod, fn := msg.string("module"), msg.string("function")
	input := msg.member("input")
	if msg.err != nil {
		s.fail(id, msg.err)
		return
	}
	f, err := lookup(mod, fn)
	if err != nil {
		s.fail(id, err)
		return
	}
	minRuns, minSeconds := 1, 0.0
	if !f.bare {
		in, err := decodeObject("input", input)
		if err != nil {
			s.fail(id, err)
			return
		}
		minRuns = in.integer("min_runs", 1, maxRuns)
		minSeconds = in.number("min_seconds")
		if in.err == nil && (minSeconds < 0 || math.IsInf(minSeconds, 0)) {
			in.failf("min_seconds", "want a number at least 0, got %v", minSeconds)
		}
		if in.err != nil {
			s.fail(id, in.err)
			return
		}
	}
	prepare, err := f.decode(input)
	if err != nil {
		s.fail(id, err)
		return
	}
	start := time.Now()
	t, err := prepare()
	prepared := time.Since(start)
	if err != nil {
		s.fail(id, err)
		return
	}
	runs, err := t.repeat(minRuns, minSeconds)
	if err != nil {
		s.fail(id, err)
		return
	}
	out, err := json.Marshal(t.output())
	if err != nil {
		s.fail(id, fmt.Errorf("the output cannot be written as JSON: %v", err))
		return
	}
	s.begin(id)
	s.out.WriteString(`,"success":true,"output":`)
	s.out.Write(out)
	s.out.WriteString(`,"timings":[`)
	s.timing("prepare", prepared)
	for _, d := range runs {
		s.out.WriteByte(',')
		s.timing("evaluate", d)
	}
	s.out.WriteString("]}\n")
}

// timing writes one timing object.
func (s *server) timing(name string, d time.Duration) {
	var buf [64]byte
	b := append(buf[:0], `{"name":"`...)
	b = append(b, name...)
	b = append(b, `","nanoseconds":`...)
	b = strconv.AppendInt(b, int64(d), 10)
	s.out.Write(append(b, '}'))
}

// repeat runs the task until it has run at least minRuns times and its
// runs have taken at least minSeconds together, and returns the duration
// of each run.
func (t *task) repeat(minRuns int, minSeconds float64) ([]time.Duration, error) {
	runs := make([]time.Duration, 0, min(minRuns, 1<<16))
	var total time.Duration
	for len(runs) < minRuns || total.Seconds() < minSeconds {
		start := time.Now()
		err := t.run()
		d := time.Since(start)
		if err != nil {
			return nil, err
		}
		runs = append(runs, d)
		total += d
	}
	return runs, nil
}
