// The playground page: every change of a control asks the server for a
// view (POST /api/view) and draws it with plotly.js. The page computes
// nothing of f itself; it only lays out what nabla computed.
'use strict';

const $ = (id) => document.getElementById(id);
const red = '#d62728', blue = '#1f4fd6';
const plotConfig = {displaylogo: false, responsive: true};

let config;             // GET /api/config
let box = {x: [-10, 10], y: [-10, 10]};
let drawnExpr = null;   // the expression of the last view drawn
let sending = false;    // a request is on its way
let next = null;        // the latest request not yet sent, with its time

// request returns the view request the controls ask for.
function request() {
  return {
    expr: $('expr').value,
    x: box.x,
    y: box.y,
    start: [+$('sx').value, +$('sy').value],
    grid: +$('grid').value,
    arrows: +$('arrows').value,
    method: $('method').value,
    lr: +$('lr-num').value,
    iters: +$('iters').value,
    maximize: $('maximize').checked,
    theta: +$('theta').value,
  };
}

// update asks for a redraw. Only the latest request waits while one is on
// its way, so a moving slider never queues stale work.
function update() {
  next = {req: request(), t0: performance.now()};
  if (!sending) send();
}

async function send() {
  const {req, t0} = next;
  next = null;
  sending = true;
  try {
    const resp = await fetch('/api/view', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(req)});
    const body = await resp.json();
    if (resp.ok) {
      $('error').hidden = true;
      await draw(req, body);
      document.body.dataset.drawnMs = (performance.now() - t0).toFixed(1);
      // The drawing is on the screen when the frame after the one that
      // shows it starts: the browser holds frames back while the last one
      // is still being drawn.
      await new Promise(requestAnimationFrame);
      await new Promise((resolve) => setTimeout(resolve));
      await new Promise(requestAnimationFrame);
    } else {
      showError(body.error);
    }
  } catch (e) {
    showError(String(e));
  }
  // The times from the control's change to the end of the drawing's
  // script (drawnMs) and to the drawing on the screen (redrawMs), and a
  // count of the redraws, for whoever measures the page.
  document.body.dataset.redrawMs = (performance.now() - t0).toFixed(1);
  document.body.dataset.redraws = +(document.body.dataset.redraws || 0) + 1;
  sending = false;
  if (next) send();
}

function showError(msg) {
  $('error').textContent = msg;
  $('error').hidden = false;
}

// fmt writes a number as the nabla command does in JSON: the shortest
// form that reads back to the same value; null is a number that is not
// finite.
const fmt = (v) => (v === null ? 'not finite' : String(v));
const tuple = (p, names) => '(' + names.map((n) => fmt(p[n])).join(', ') + ')';

async function draw(req, v) {
  const two = v.vars.length === 2;
  document.body.className = two ? 'two' : 'one';
  $('name-x').textContent = v.vars[0];
  $('name-y').textContent = v.vars[1] || '';
  // A new expression gets the levels that suit it; the select may
  // change them after.
  if (v.surface && req.expr !== drawnExpr) $('levels').value = v.surface.scale;
  drawnExpr = req.expr;
  readouts(v, two);
  $('warnings').textContent = (v.warnings || []).join('\n');
  if (two) {
    await draw2d(req, v);
    // The surface, the slowest view to draw without a graphics card,
    // waits while a newer request is on its way: as a slider is dragged
    // the map and the readouts follow it, and the surface catches up
    // when the slider rests.
    if (!next) await draw3d(req, v);
  } else {
    await draw1d(req, v);
  }
}

function readouts(v, two) {
  const g = v.grad, o = v.optimize;
  $('f').textContent = fmt(g.value);
  $('grad').textContent = tuple(g.gradient, v.vars);
  $('gnorm').textContent = fmt(g.gradient_norm);
  if (two) {
    $('u').textContent = tuple(v.jvp.direction, v.vars);
    $('duf').textContent = fmt(v.jvp.directional_derivative);
  }
  $('final-x').textContent = tuple(o.x, v.vars);
  $('final-f').textContent = fmt(o.f);
  $('iterations').textContent = o.iterations;
  $('evaluations').textContent = `${o.evaluations} of f, ${o.gradient_evaluations} of ∇f`;
  $('status').textContent = `${o.status}: ${o.message}`;
}

// levelScale returns the colour coordinate of f: f itself, or with log
// levels log₁₀(f − min f + c), which spreads the levels crowded near a
// minimum, as in Rosenbrock's valley.
function levelScale(lo, hi) {
  if ($('levels').value !== 'log') return (f) => f;
  const c = (hi - lo) * 1e-3 || 1;
  return (f) => (f === null ? null : Math.log10(f - lo + c));
}

// The arrays drawn from the surface and the field are kept while the
// function, the box and the grid stay the same: plotly.js compares arrays
// by identity, so that when a slider moves only the start, it redraws
// only the path and leaves the contours and the surface as they are.
const kept = {};
function keep(name, key, make) {
  key = JSON.stringify(key);
  if (kept[name]?.key !== key) kept[name] = {key, value: make()};
  return kept[name].value;
}

function surfaceOf(req, v) {
  return keep('surface', [req.expr, req.x, req.y, req.grid, $('levels').value], () => {
    const s = v.surface;
    let lo = Infinity, hi = -Infinity;
    for (const row of s.z) for (const f of row) if (f !== null) { lo = Math.min(lo, f); hi = Math.max(hi, f); }
    const scale = levelScale(lo, hi);
    return {x: s.x, y: s.y, z: s.z, c: s.z.map((row) => row.map(scale)), scale, lo, hi};
  });
}

function path(v) {
  const t = v.optimize.trajectory, [a, b] = v.vars;
  return {x: t.map((p) => p.x[a]), y: t.map((p) => p.x[b]), f: t.map((p) => p.f)};
}

function draw2d(req, v) {
  const s = surfaceOf(req, v), [a, b] = v.vars;
  const coloring = $('coloring').value;
  const hover = `${a} = %{x}<br>${b} = %{y}<br>f = %{text}<extra></extra>`;
  const traces = [{
    type: 'contour', x: s.x, y: s.y, z: s.c, text: s.z, hovertemplate: hover,
    colorscale: 'Viridis', ncontours: 24, showscale: false,
    contours: {coloring}, line: {width: coloring === 'lines' ? 1.5 : 0.5},
  }];
  const f0 = v.grad.value;
  if (f0 !== null) {
    // The level set through the start, to which ∇f is perpendicular.
    traces.push({
      type: 'contour', x: s.x, y: s.y, z: s.c, hoverinfo: 'skip', showscale: false,
      contours: {start: s.scale(f0), end: s.scale(f0), size: 1, coloring: 'none'},
      line: {color: coloring === 'fill' ? '#fff' : '#000', width: 2, dash: 'dot'},
    });
  }
  // The field of the direction the optimizer goes: −∇f down, ∇f up.
  const field = keep('field', [req.expr, req.x, req.y, req.arrows, req.maximize, $('scale').value], () => quiver(v.field, req.maximize ? 1 : -1));
  traces.push({type: 'scatter', name: 'field', mode: 'lines', ...field, line: {color: '#333', width: 1}, hoverinfo: 'skip'});
  const p = path(v);
  traces.push({
    type: 'scatter', name: 'path', mode: 'lines+markers', x: p.x, y: p.y, text: p.f,
    hovertemplate: `${a} = %{x}<br>${b} = %{y}<br>f = %{text}<extra>step %{pointNumber}</extra>`,
    line: {color: red, width: 2}, marker: {color: red, size: 5},
  });
  const layout = {
    margin: {l: 45, r: 10, t: 30, b: 40},
    // One scale on both axes, so that ∇f looks perpendicular to the level
    // sets; the plot shrinks to fit rather than show more than the box.
    xaxis: {range: req.x, title: {text: a}, constrain: 'domain'},
    yaxis: {range: req.y, title: {text: b}, scaleanchor: 'x', constrain: 'domain'},
    showlegend: false, annotations: startArrows(req, v), uirevision: `${req.x} ${req.y}`,
  };
  return Plotly.react('plot2d', traces, layout, plotConfig).then(listenForClicks);
}

// quiver returns the arrows of the field sign·(u, v) as line segments
// separated by nulls, centred on their points; the longest is as long as
// a cell times the arrow scale / 25, and the others in proportion.
function quiver(fd, sign) {
  const x = [], y = [];
  let max = 0;
  fd.u.forEach((u, k) => { if (u !== null) max = Math.max(max, Math.hypot(u, fd.v[k])); });
  if (!(max > 0 && Number.isFinite(max))) return {x, y};
  const cell = Math.min(fd.x[1] - fd.x[0], fd.y[1] - fd.y[0]);
  const s = sign * (+$('scale').value / 25) * 0.9 * cell / max;
  fd.y.forEach((yc, j) => fd.x.forEach((xc, i) => {
    const k = j * fd.x.length + i;
    if (fd.u[k] === null) return;
    const dx = s * fd.u[k], dy = s * fd.v[k];
    const x1 = xc + dx / 2, y1 = yc + dy / 2, h = 0.3, w = 0.15;
    x.push(xc - dx / 2, x1, x1 - h * dx - w * dy, x1, x1 - h * dx + w * dy, null);
    y.push(yc - dy / 2, y1, y1 - h * dy + w * dx, y1, y1 - h * dy - w * dx, null);
  }));
  return {x, y};
}

// startArrows draws ∇f and u at the start, both of one length, so that
// their directions compare: D_u f = ‖∇f‖ cos ∠(∇f, u).
function startArrows(req, v) {
  const [a, b] = v.vars, [x0, y0] = req.start, g = v.grad.gradient, u = v.jvp.direction;
  const len = 0.12 * Math.min(req.x[1] - req.x[0], req.y[1] - req.y[0]);
  const out = [];
  const arrow = (dx, dy, color, label) => {
    const x = x0 + len * dx, y = y0 + len * dy;
    out.push({x, y, ax: x0, ay: y0, xref: 'x', yref: 'y', axref: 'x', ayref: 'y', text: '',
      showarrow: true, arrowhead: 2, arrowsize: 1.2, arrowwidth: 2.5, arrowcolor: color});
    // The label sits beside the arrow's middle, inside the box.
    out.push({x: x0 + len * (0.55 * dx - 0.15 * dy), y: y0 + len * (0.55 * dy + 0.15 * dx), xref: 'x', yref: 'y',
      text: label, showarrow: false, font: {color, size: 15}});
  };
  const n = Math.hypot(g[a], g[b]);
  if (n > 0 && Number.isFinite(n)) arrow(g[a] / n, g[b] / n, red, '∇f');
  arrow(u[a], u[b], blue, 'u');
  return out;
}

let clicksHeard = false;

// listenForClicks makes a click on the contour map set the start point.
function listenForClicks() {
  if (clicksHeard) return;
  clicksHeard = true;
  $('plot2d').on('plotly_click', (ev) => {
    const pt = ev.points[0];
    setSlider('sx', pt.x);
    setSlider('sy', pt.y);
    update();
  });
}

function draw3d(req, v) {
  const s = surfaceOf(req, v), [a, b] = v.vars, p = path(v);
  // The path is lifted a hair above the surface, so that the surface does
  // not hide the line it lies on.
  const lift = 0.01 * (s.hi - s.lo || 1);
  const traces = [{
    type: 'surface', x: s.x, y: s.y, z: s.z, surfacecolor: s.c,
    colorscale: 'Viridis', showscale: false,
    contours: {x: {highlight: false}, y: {highlight: false}, z: {highlight: false}},
    hovertemplate: `${a} = %{x}<br>${b} = %{y}<br>f = %{z}<extra></extra>`,
  }, {
    type: 'scatter3d', name: 'path', mode: 'lines+markers', x: p.x, y: p.y, z: p.f.map((f) => (f === null ? null : f + lift)),
    text: p.f, hovertemplate: `${a} = %{x}<br>${b} = %{y}<br>f = %{text}<extra>step %{pointNumber}</extra>`,
    line: {color: red, width: 6}, marker: {color: red, size: 3},
  }];
  const layout = {
    margin: {l: 0, r: 0, t: 0, b: 0}, showlegend: false, uirevision: 'camera',
    scene: {
      xaxis: {title: {text: a}, range: req.x}, yaxis: {title: {text: b}, range: req.y}, zaxis: {title: {text: 'f'}},
      aspectmode: 'manual', aspectratio: {x: 1, y: 1, z: 0.7},
      camera: {eye: {x: -0.95, y: -1.85, z: 1.1}},
    },
  };
  return Plotly.react('plot3d', traces, layout, plotConfig);
}

function draw1d(req, v) {
  const c = v.curve, [a] = v.vars, p = path(v);
  const x0 = req.start[0], f0 = v.grad.value, d0 = v.grad.gradient[a];
  const traces = [
    {type: 'scatter', name: 'f', mode: 'lines', x: c.x, y: c.f, line: {color: '#3b528b', width: 2.5}},
    {type: 'scatter', name: 'f′', mode: 'lines', x: c.x, y: c.df, line: {color: '#21918c', width: 1.5, dash: 'dash'}},
  ];
  if (f0 !== null && d0 !== null) {
    traces.push({type: 'scatter', name: `tangent at ${a} = ${x0}`, mode: 'lines', x: req.x,
      y: req.x.map((t) => f0 + d0 * (t - x0)), line: {color: '#777', width: 1.5, dash: 'dot'}});
  }
  traces.push({type: 'scatter', name: 'path', mode: 'lines+markers', x: p.x, y: p.f, line: {color: red, width: 2}, marker: {color: red, size: 6}});
  // The axis keeps to f and f′: a steep tangent would stretch it.
  const ys = c.f.concat(c.df).filter((y) => y !== null);
  const lo = Math.min(...ys), hi = Math.max(...ys), pad = 0.05 * (hi - lo || 1);
  const layout = {
    margin: {l: 50, r: 10, t: 10, b: 40}, xaxis: {range: req.x, title: {text: a}},
    yaxis: {range: [lo - pad, hi + pad]}, legend: {x: 0, y: 1}, uirevision: `${req.x}`,
  };
  return Plotly.react('plot1d', traces, layout, plotConfig);
}

function setSlider(id, value) {
  $(id).value = value;
  $(id + '-out').textContent = (+$(id).value).toFixed(2);
}

// apply sets the controls to a preset.
function apply(p) {
  $('expr').value = p.expr;
  box = {x: p.x, y: p.y[0] < p.y[1] ? p.y : [-10, 10]};
  for (const [id, r, v] of [['sx', box.x, p.start[0]], ['sy', box.y, p.start[1]]]) {
    $(id).min = r[0];
    $(id).max = r[1];
    setSlider(id, v);
  }
  $('method').value = p.method;
  $('lr').value = $('lr-num').value = p.lr;
  $('iters').value = $('iters-out').textContent = p.iters;
  $('maximize').checked = !!p.maximize;
  drawnExpr = null;
}

async function start() {
  config = await (await fetch('/api/config')).json();
  for (const m of config.methods) $('method').add(new Option(m, m));
  const presets = config.presets.slice();
  if (config.initial.expr !== presets[0].expr) presets.unshift({...config.initial, name: 'your expression'});
  presets.forEach((p, i) => $('preset').add(new Option(p.name, i)));
  $('preset').addEventListener('change', () => { apply(presets[+$('preset').value]); update(); });
  apply(presets[0]);

  let typing;
  $('expr').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(update, 200); });
  for (const id of ['sx', 'sy', 'iters', 'arrows', 'scale', 'theta']) {
    const out = $(id + '-out');
    const show = () => { out.textContent = id === 'sx' || id === 'sy' ? (+$(id).value).toFixed(2) : $(id).value; };
    show();
    $(id).addEventListener('input', () => { show(); update(); });
  }
  $('lr').addEventListener('input', () => { $('lr-num').value = $('lr').value; update(); });
  $('lr-num').addEventListener('input', () => { $('lr').value = $('lr-num').value; update(); });
  for (const id of ['method', 'maximize', 'grid', 'coloring', 'levels']) $(id).addEventListener('change', update);
  update();
}

start();
