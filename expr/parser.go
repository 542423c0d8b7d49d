package expr

import "fmt"

// Limits on the input, so that no source can exhaust the stack or memory.
const (
	// MaxSourceLen is the longest source, in bytes, that Compile accepts.
	MaxSourceLen = 1 << 20
	// MaxDepth is the deepest nesting of parentheses, brackets, calls,
	// unary operators, powers and indexing that Compile accepts.
	MaxDepth = 1000
	// maxErrors is the number of errors after which Compile stops looking.
	maxErrors = 10
)

// Binding powers of the operators, loosest first.
const (
	precLowest = 1
	precAdd    = 1 // + -
	precMul    = 2 // * / @
	precUnary  = 3 // unary - +
	precPow    = 4 // ^ **, right-associative
)

var binaryPrec = [...]int{tPlus: precAdd, tMinus: precAdd, tStar: precMul, tSlash: precMul, tAt: precMul, tPow: precPow}

// parser builds the syntax tree by precedence climbing. After the first
// error in a statement it stops building (bail), skips to the end of the
// statement, and goes on with the next, so that one input can report
// several independent errors.
type parser struct {
	src   string
	lx    *lexer
	tok   token
	prev  token // the token before tok
	depth int
	errs  ErrorList
	bail  bool // an error in the current statement: build nothing more
	stop  bool // a limit was hit: report nothing more
}

// parse parses src into statements. It returns the errors it found, in
// source order.
func parse(src string) ([]stmt, ErrorList) {
	p := &parser{src: src, lx: newLexer(src), depth: -1} // the result is at depth 0
	p.next()
	stmts, _ := p.parseStmts(nil)
	if len(stmts) == 0 && len(p.errs) == 0 {
		p.errorf(0, "empty expression")
	}
	return stmts, p.errs
}

// parseStmts parses statements up to the end of the input or, in a block
// whose "{" is open, up to the closing "}", which it leaves for the
// caller. It reports whether a statement had an error; such statements are
// left out.
func (p *parser) parseStmts(open *token) (stmts []stmt, bad bool) {
	for !p.stop {
		for p.tok.kind == tSemi || p.tok.kind == tNewline {
			p.next()
		}
		if p.tok.kind == tEOF {
			if open != nil {
				p.bail = false
				p.errorf(open.pos, "unclosed %q", open.text)
				bad = true
			}
			break
		}
		if open != nil && p.tok.kind == tRbrace {
			break
		}
		p.bail = false
		s := p.parseStmt(open != nil)
		if !p.bail {
			switch p.tok.kind {
			case tSemi, tNewline, tEOF:
				stmts = append(stmts, s)
				continue
			case tRbrace:
				if open != nil {
					stmts = append(stmts, s)
					continue
				}
				p.errorf(p.tok.pos, "unmatched %s", p.tok.describe())
			case tRparen, tRbrack:
				p.errorf(p.tok.pos, "unmatched %s", p.tok.describe())
			case tName, tNumber, tLparen:
				p.unexpected(" after expression (missing operator?)")
			default:
				p.unexpected(" after expression")
			}
		}
		bad = true
		p.skipStmt(open != nil)
	}
	return stmts, bad
}

// skipStmt skips the rest of a statement after an error: up to the next
// ";" or line break outside the braces it skips whole, or, in a block, up
// to the block's "}". Brackets left open by the error are forgotten, so
// that the next line break ends the statement.
func (p *parser) skipStmt(inBlock bool) {
	p.lx.closeExprs()
	depth := 0
	for p.tok.kind != tEOF {
		switch p.tok.kind {
		case tSemi, tNewline:
			if depth == 0 {
				return
			}
		case tLbrace:
			depth++
		case tRbrace:
			if depth == 0 && inBlock {
				return
			}
			depth = max(0, depth-1)
		}
		p.next()
	}
}

// peek returns the kind of the token after the current one.
func (p *parser) peek() tokenKind {
	lx := lexer{src: p.src, off: p.lx.off, last: p.tok.kind}
	return lx.scan().kind
}

func (p *parser) next() {
	p.prev = p.tok
	if p.stop {
		p.tok = token{kind: tEOF, pos: len(p.src), end: len(p.src)}
		return
	}
	p.tok = p.lx.next()
}

// errorf records an error at byte offset off and makes the parser bail out
// of the current statement.
func (p *parser) errorf(off int, format string, args ...any) {
	if p.bail || p.stop {
		return
	}
	p.bail = true
	p.errs = append(p.errs, errorAt(p.src, off, fmt.Sprintf(format, args...)))
	if len(p.errs) >= maxErrors {
		p.stop = true
	}
}

// unexpected reports the current token as out of place. An illegal token
// reports its own error instead.
func (p *parser) unexpected(context string) {
	t := p.tok
	switch t.kind {
	case tIllegal:
		p.errorf(t.pos, "%s", t.msg)
	case tEOF:
		// Point just after the last token, not at trailing space or comments.
		p.errorf(p.prev.end, "unexpected end of input%s", context)
	default:
		p.errorf(t.pos, "unexpected %s%s", t.describe(), context)
	}
}

// enter opens a nesting level; it reports false, and stops the parse, when
// the nesting is deeper than MaxDepth. Every enter needs a leave.
func (p *parser) enter() bool {
	p.depth++
	if p.depth <= MaxDepth {
		return true
	}
	if !p.stop {
		p.errorf(p.prev.pos, "expression nested too deeply (more than %d levels)", MaxDepth)
		p.stop = true
		p.tok = token{kind: tEOF, pos: len(p.src), end: len(p.src)}
	}
	return false
}

func (p *parser) leave() { p.depth-- }

// parseStmt parses a statement: a binding, a function definition (not
// in a block), a loop or an expression.
func (p *parser) parseStmt(inBlock bool) stmt {
	if p.tok.kind == tName && p.tok.text == "for" && p.peek() == tName {
		return stmt{loop: p.parseLoop()}
	}
	x := p.parseExpr(precLowest)
	if p.tok.kind != tAssign || p.bail {
		return stmt{x: x}
	}
	switch x := x.(type) {
	case *name:
		p.next()
		return stmt{bind: x, x: p.parseExpr(precLowest)}
	case *call:
		if inBlock {
			p.errorf(x.at, "functions are defined only at the top level, not inside braces")
			return stmt{x: x}
		}
		return stmt{fn: p.parseFuncDef(x)}
	}
	p.errorf(x.start(), "cannot assign to an expression (the left side of \"=\" must be a name)")
	return stmt{x: x}
}

// parseExpr parses an expression whose binary operators bind at least as
// tightly as minPrec.
func (p *parser) parseExpr(minPrec int) node {
	defer p.leave()
	if !p.enter() || p.bail {
		return &bad{at: p.tok.pos}
	}
	x := p.parseUnary()
	for !p.bail {
		op := p.tok
		prec := 0
		if int(op.kind) < len(binaryPrec) {
			prec = binaryPrec[op.kind]
		}
		if prec == 0 || prec < minPrec {
			break
		}
		p.next()
		next := prec + 1
		if op.kind == tPow {
			next = prec // right-associative
		}
		y := p.parseExpr(next)
		x = &binary{from: x.start(), opAt: op.pos, op: op.kind, text: op.text, x: x, y: y}
	}
	return x
}

func (p *parser) parseUnary() node {
	if p.tok.kind == tMinus || p.tok.kind == tPlus {
		op := p.tok
		p.next()
		return &unary{at: op.pos, op: op.kind, x: p.parseExpr(precUnary)}
	}
	return p.parsePostfix(p.parseOperand())
}

func (p *parser) parseOperand() node {
	t := p.tok
	switch t.kind {
	case tNumber:
		p.next()
		return &number{at: t.pos, val: t.val}
	case tName:
		p.next()
		if p.tok.kind == tLparen {
			return p.parseCall(t)
		}
		return &name{at: t.pos, id: t.text}
	case tLparen:
		p.next()
		x := p.parseExpr(precLowest)
		p.expectClose(tRparen, t, `")"`)
		return &paren{at: t.pos, x: x}
	case tLbrack:
		p.next()
		v := &vector{at: t.pos}
		if p.tok.kind == tRbrack {
			p.errorf(t.pos, "empty vector literal")
			return &bad{at: t.pos}
		}
		v.elems = p.parseList()
		p.expectClose(tRbrack, t, `"," or "]"`)
		return v
	}
	if p.prev.kind == tNewline && (t.kind == tStar || t.kind == tSlash || t.kind == tPow) {
		p.errorf(t.pos, "unexpected %s at the start of a line: the line break before it ended the statement (to continue, end the previous line with the operator)", t.describe())
	} else {
		p.unexpected(", expected expression")
	}
	return &bad{at: t.pos}
}

// parseList parses comma-separated expressions.
func (p *parser) parseList() []node {
	var xs []node
	for {
		xs = append(xs, p.parseExpr(precLowest))
		if p.tok.kind != tComma || p.bail {
			return xs
		}
		p.next()
	}
}

// parseCall parses the arguments of a call of fn; the current token is "(".
func (p *parser) parseCall(fn token) node {
	open := p.tok
	p.next()
	c := &call{at: fn.pos, fn: fn.text}
	if p.tok.kind != tRparen {
		c.args = p.parseList()
		p.parseAxis(c)
	}
	p.expectClose(tRparen, open, `"," or ")"`)
	return c
}

// expectClose consumes the closing token kind of the bracket open, or
// reports what is there instead: "unclosed" at the opening bracket when the
// input ends, "unexpected ..., expected want" otherwise.
func (p *parser) expectClose(kind tokenKind, open token, want string) {
	if p.bail {
		return
	}
	switch p.tok.kind {
	case kind:
		p.next()
	case tEOF:
		p.errorf(open.pos, "unclosed %q", open.text)
	default:
		p.unexpected(", expected " + want)
	}
}

// parsePostfix parses indexing, slicing and transposing after x: x[i],
// x[lo:hi:step], a matrix's A[i, j], A[:, lo:hi], and A.T. Each one is a
// nesting level.
func (p *parser) parsePostfix(x node) node {
	depth := p.depth
	defer func() { p.depth = depth }()
	for (p.tok.kind == tLbrack || p.tok.kind == tDot) && !p.bail {
		open := p.tok
		if !p.enter() {
			return x
		}
		p.next()
		if open.kind == tDot {
			if x = p.parseAttribute(x); p.bail {
				return x
			}
			continue
		}
		part := p.parseSubscript(open)
		if part == nil {
			return x
		}
		if p.tok.kind == tComma && !p.bail {
			p.next()
			cols := p.parseSubscript(open)
			if cols == nil {
				return x
			}
			p.expectClose(tRbrack, open, `"]"`)
			x = &subscripts{from: x.start(), x: x, brack: open.pos, rows: part, cols: cols}
			continue
		}
		switch part := part.(type) {
		case *index:
			p.expectClose(tRbrack, open, `":", "," or "]"`)
			part.from, part.x = x.start(), x
		case *slice:
			p.expectClose(tRbrack, open, `"," or "]"`)
			part.from, part.x = x.start(), x
		}
		x = part
	}
	return x
}

// parseSubscript parses the subscript of one axis after "[" or ",": an
// index i or a slice lo:hi:step, as an *index or a *slice whose x is
// nil, or nil after an error.
func (p *parser) parseSubscript(open token) node {
	var lo node
	if p.tok.kind != tColon {
		if p.tok.kind == tRbrack || p.tok.kind == tComma {
			p.errorf(p.tok.pos, "missing index")
			return nil
		}
		lo = p.parseExpr(precLowest)
		if p.bail {
			return nil
		}
		if p.tok.kind != tColon {
			return &index{brack: open.pos, i: lo}
		}
	}
	s := &slice{brack: open.pos, lo: lo, colon1: p.tok.pos, colon2: -1}
	p.next()
	if p.tok.kind != tColon && p.tok.kind != tRbrack && p.tok.kind != tComma {
		s.hi = p.parseExpr(precLowest)
	}
	if p.tok.kind == tColon && !p.bail {
		s.colon2 = p.tok.pos
		p.next()
		if p.tok.kind != tRbrack && p.tok.kind != tComma {
			s.step = p.parseExpr(precLowest)
		}
	}
	if p.bail {
		return nil
	}
	return s
}
