package expr

// The parts of the parser for statements that hold other statements:
// function definitions and loops, and the blocks in braces that are their
// bodies.

// parseFuncDef parses the rest of "name(params) = body"; c is the
// left side and the current token is "=".
func (p *parser) parseFuncDef(c *call) *funcDef {
	fd := &funcDef{name: &name{at: c.at, id: c.fn}}
	for _, a := range c.args {
		id, ok := a.(*name)
		if !ok {
			p.errorf(a.start(), "a parameter must be a name")
			return fd
		}
		fd.params = append(fd.params, id)
	}
	p.next()
	if p.tok.kind == tLbrace {
		fd.body = p.parseBlock()
		return fd
	}
	x := p.parseExpr(precLowest)
	fd.body = &block{at: x.start(), stmts: []stmt{{x: x}}}
	return fd
}

// parseLoop parses "for index in range(count) { body }"; the current
// token is "for" and the next one a name.
func (p *parser) parseLoop() *loop {
	lp := &loop{at: p.tok.pos}
	p.next()
	lp.index = &name{at: p.tok.pos, id: p.tok.text}
	p.next()
	if p.tok.kind != tName || p.tok.text != "in" {
		p.unexpected(`, expected "in"`)
		return lp
	}
	p.next()
	x := p.parseExpr(precLowest)
	if p.bail {
		return lp
	}
	c, ok := x.(*call)
	if !ok || c.fn != "range" {
		p.errorf(x.start(), `a loop runs over range(n): write "for %s in range(n) { … }"`, lp.index.id)
		return lp
	}
	if len(c.args) != 1 {
		p.errorf(c.at, "range takes 1 argument, got %d", len(c.args))
		return lp
	}
	lp.count = c.args[0]
	if p.tok.kind == tNewline && p.peek() == tLbrace {
		p.next() // the brace may open the next line
	}
	if p.tok.kind != tLbrace {
		p.unexpected(`, expected "{"`)
		return lp
	}
	lp.body = p.parseBlock()
	return lp
}

// parseBlock parses statements in braces; the current token is "{". A
// block is a nesting level. When a statement of the block has an error,
// the parser bails out of the statement that holds the block.
func (p *parser) parseBlock() *block {
	open := p.tok
	b := &block{at: open.pos}
	defer p.leave()
	if !p.enter() {
		return b
	}
	p.next()
	stmts, bad := p.parseStmts(&open)
	b.stmts = stmts
	if p.tok.kind == tRbrace {
		p.next()
	}
	p.bail = p.bail || bad
	return b
}
