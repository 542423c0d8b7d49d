package expr

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// tokenKind is the lexical class of a token.
type tokenKind int

const (
	tEOF     tokenKind = iota
	tIllegal           // a character or number the language does not accept; msg says why
	tNumber
	tName
	tPlus
	tMinus
	tStar
	tSlash
	tPow // ^ or **
	tAt  // @, the matrix product
	tDot // ., before an attribute: A.T
	tLparen
	tRparen
	tLbrack
	tRbrack
	tLbrace
	tRbrace
	tComma
	tColon
	tSemi
	tNewline // a line break that ends a statement
	tAssign
)

// token is one lexical token. pos and end are byte offsets into the source.
type token struct {
	kind     tokenKind
	pos, end int
	text     string
	val      float64 // the value of a tNumber
	msg      string  // for tIllegal: the error to report
}

// describe names the token for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tNewline:
		return "newline"
	case tNumber:
		return "number " + t.text
	case tName:
		return "name " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// lexer splits the source into tokens. Line breaks inside parentheses or
// brackets, and line breaks after a token that cannot end an expression (an
// operator, "=", ",", ...), are skipped, so an expression may continue on
// the next line; any other line break ends the statement. Inside braces,
// which hold statements, line breaks end statements again.
type lexer struct {
	src  string
	off  int
	open []tokenKind // the brackets not yet closed: tLparen, tLbrack or tLbrace
	last tokenKind   // the kind of the previous token
}

func newLexer(src string) *lexer {
	lx := &lexer{src: src, last: tNewline}
	if len(src) >= 3 && src[:3] == "\uFEFF" {
		lx.off = 3
	}
	return lx
}

// endsExpr reports whether a line break after a token of kind k ends a statement.
func endsExpr(k tokenKind) bool {
	return k == tNumber || k == tName || k == tRparen || k == tRbrack || k == tRbrace
}

// inStatements reports whether the innermost open bracket, if any, holds
// statements (a brace) rather than an expression.
func (lx *lexer) inStatements() bool {
	return len(lx.open) == 0 || lx.open[len(lx.open)-1] == tLbrace
}

// closeExprs forgets the parentheses and brackets opened since the
// innermost brace, so that after an error the next line break ends the
// statement.
func (lx *lexer) closeExprs() {
	for !lx.inStatements() {
		lx.open = lx.open[:len(lx.open)-1]
	}
}

func (lx *lexer) next() token {
	t := lx.scan()
	lx.last = t.kind
	switch t.kind {
	case tLparen, tLbrack, tLbrace:
		lx.open = append(lx.open, t.kind)
	case tRparen, tRbrack, tRbrace:
		if len(lx.open) > 0 {
			lx.open = lx.open[:len(lx.open)-1]
		}
	}
	return t
}

func (lx *lexer) scan() token {
	src := lx.src
	for lx.off < len(src) {
		c := src[lx.off]
		switch {
		case c == '\n':
			lx.off++
			if lx.inStatements() && endsExpr(lx.last) {
				return token{kind: tNewline, pos: lx.off - 1, end: lx.off, text: "\n"}
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.off++
		case c == '#':
			for lx.off < len(src) && src[lx.off] != '\n' {
				lx.off++
			}
		default:
			return lx.scanToken()
		}
	}
	return token{kind: tEOF, pos: len(src), end: len(src)}
}

var punct = [256]tokenKind{
	'+': tPlus, '-': tMinus, '*': tStar, '/': tSlash, '^': tPow, '@': tAt,
	'(': tLparen, ')': tRparen, '[': tLbrack, ']': tRbrack, '{': tLbrace, '}': tRbrace,
	',': tComma, ':': tColon, ';': tSemi, '=': tAssign, '.': tDot,
}

func (lx *lexer) scanToken() token {
	src, pos := lx.src, lx.off
	c := src[pos]
	if isDigit(c) || c == '.' && pos+1 < len(src) && isDigit(src[pos+1]) {
		return lx.scanNumber()
	}
	if k := punct[c]; k != tEOF {
		end := pos + 1
		if c == '*' && end < len(src) && src[end] == '*' {
			k, end = tPow, end+1
		}
		lx.off = end
		return token{kind: k, pos: pos, end: end, text: src[pos:end]}
	}
	r, size := utf8.DecodeRuneInString(src[pos:])
	if r == utf8.RuneError && size == 1 {
		lx.off++
		return token{kind: tIllegal, pos: pos, end: lx.off, text: src[pos:lx.off], msg: "invalid UTF-8 encoding"}
	}
	if isLetter(r) {
		end := pos
		for end < len(src) {
			r, size := utf8.DecodeRuneInString(src[end:])
			if !isLetter(r) && !unicode.IsDigit(r) {
				break
			}
			end += size
		}
		lx.off = end
		return token{kind: tName, pos: pos, end: end, text: src[pos:end]}
	}
	lx.off += size
	return token{kind: tIllegal, pos: pos, end: lx.off, text: src[pos:lx.off],
		msg: "unexpected character " + strconv.QuoteToASCII(string(r))}
}

// scanNumber scans a decimal number: digits with an optional fraction and
// exponent, "1", ".5", "2.", "2.5e-3". Letters, digits, dots or underscores
// running on after it make the whole run a bad number ("2x", "1.2.3").
func (lx *lexer) scanNumber() token {
	src, pos := lx.src, lx.off
	i := pos
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	if i < len(src) && src[i] == '.' {
		i++
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	noExpDigits := false
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			for j < len(src) && isDigit(src[j]) {
				j++
			}
		} else {
			noExpDigits = true
		}
		i = j
	}
	good := i
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		if !isLetter(r) && !unicode.IsDigit(r) && r != '.' {
			break
		}
		i += size
	}
	lx.off = i
	t := token{kind: tNumber, pos: pos, end: i, text: src[pos:i]}
	switch {
	case i > good:
		t.kind, t.msg = tIllegal, "bad number "+strconv.Quote(t.text)
	case noExpDigits:
		t.kind, t.msg = tIllegal, "bad number "+strconv.Quote(t.text)+": exponent has no digits"
	default:
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil && (v > 1 || v < -1) {
			// Overflow; underflow quietly rounds to zero or a subnormal.
			t.kind, t.msg = tIllegal, "number "+t.text+" is out of range"
		}
		t.val = v
	}
	return t
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '_' || r >= utf8.RuneSelf && unicode.IsLetter(r)
}
