package expr

// The syntax tree. Positions are byte offsets into the source; an Error
// turns them into line and column.

// node is an expression of the syntax tree.
type node interface {
	// start is the offset of the first character of the expression.
	start() int
}

type (
	number struct {
		at  int
		val float64
	}
	name struct {
		at int
		id string
	}
	paren struct {
		at int // the "("
		x  node
	}
	unary struct {
		at int // the operator
		op tokenKind
		x  node
	}
	binary struct {
		from int // the start of x, kept so start() need not walk long chains
		opAt int
		op   tokenKind
		text string // the operator as written: "^" or "**"
		x, y node
	}
	call struct {
		at      int // the function name
		fn      string
		args    []node
		axis    *name // the keyword of an argument axis=…, whose value is axisVal
		axisVal node
	}
	index struct {
		from  int
		x     node
		brack int // the "["
		i     node
	}
	slice struct {
		from           int
		x              node
		brack          int  // the "["
		lo, hi, step   node // nil when omitted
		colon1, colon2 int  // offsets of the colons; colon2 is -1 when absent
	}
	vector struct {
		at    int // the "["
		elems []node
	}
	// subscripts is x[rows, cols], a subscript of each axis of a matrix:
	// rows and cols are an *index or a *slice whose x is nil.
	subscripts struct {
		from       int
		x          node
		brack      int // the "["
		rows, cols node
	}
	// bad stands for an expression that had a syntax error already reported.
	bad struct {
		at int
	}
)

func (n *number) start() int     { return n.at }
func (n *name) start() int       { return n.at }
func (n *paren) start() int      { return n.at }
func (n *unary) start() int      { return n.at }
func (n *binary) start() int     { return n.from }
func (n *call) start() int       { return n.at }
func (n *index) start() int      { return n.from }
func (n *slice) start() int      { return n.from }
func (n *vector) start() int     { return n.at }
func (n *subscripts) start() int { return n.from }
func (n *bad) start() int        { return n.at }

// stmt is a statement: a binding "name = x" when bind is non-nil, a
// function definition when fn is, a loop when loop is, otherwise the
// expression x.
type stmt struct {
	bind *name
	fn   *funcDef
	loop *loop
	x    node
}

// funcDef is a function definition, "name(params) = body". A body written
// as one expression is a block of that one statement.
type funcDef struct {
	name   *name
	params []*name
	body   *block
}

// block is a sequence of statements in braces, or the expression body of
// a function.
type block struct {
	at    int // the "{", or the start of the expression
	stmts []stmt
}

// loop is "for index in range(count) { body }".
type loop struct {
	at    int // the "for"
	index *name
	count node
	body  *block
}
