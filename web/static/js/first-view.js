// first-view: how the map's first view comes on screen. Without a GPU (a
// browser drawing WebGL on the CPU, as in a virtual desktop or a headless
// test) every frame costs CPU time that loading and parsing the tiles need
// too, every frame shown costs a read-back of the whole canvas, and every
// kind of layer costs a shader program compiled on its first use. So, for
// the styles kume builds itself:
//   - the canvas stays hidden, over the style's background colour, and the
//     map draws nothing until the first view's basemap and hexagons are
//     loaded: it still asks for tiles and lays them out, but a tile that
//     arrives no longer costs a frame of its own (hidden frames were drawn
//     too, by the browser, at the first read-back);
//   - the frame in which they are loaded is drawn and shown. It draws the
//     basemap's land and water and the hexagons alone, without edge
//     smoothing, without the background layer (the map's container shows
//     the same colour) and without MapLibre's sky (nothing of it shows at
//     pitch 0): three shader programs in all;
//   - the rest is drawn from the next frame on: the other basemap and hexagon
//     layers (their tiles are loaded already), smoothed edges, the
//     background, and kume's other sources (footprints, regions,
//     institutions, region names), whose tiles are asked for by the frame
//     that shows the first view.
// With a GPU the same pictures come a few frames apart.

// firstLayers are the layers of the first frame shown.
const firstLayers = new Set(['bm-land', 'bm-water', 'hexagons-fill', 'regions-lq']);
// awaited are the sources the first frame shown waits for, where present.
const awaited = ['basemap', 'hexagons'];
// The canvas is shown after this long whatever has loaded, so that a slow or
// failing tile never keeps the map hidden.
const latestMs = 4000;
const opacityProps = { background: ['background-opacity'], fill: ['fill-opacity'], line: ['line-opacity'], circle: ['circle-opacity', 'circle-stroke-opacity'], symbol: ['text-opacity', 'icon-opacity'] };

// holdDetails returns the style's layers as the first frame shown draws them,
// and what each held layer gets back afterwards: [layer id, 'layout' or
// 'paint', property, value]. Of kume's own sources (kumeSources), those the
// first view does not wait for are asked for tiles by the frame that shows it.
export function holdDetails(layers, kumeSources) {
  const laterSources = new Set(kumeSources.filter((id) => !awaited.includes(id)));
  const held = [];
  const out = layers.map((l) => {
    if (firstLayers.has(l.id)) {
      if (l.type !== 'fill' || l.paint?.['fill-antialias'] === false) return l;
      held.push([l.id, 'paint', 'fill-antialias', l.paint?.['fill-antialias']]);
      return { ...l, paint: { ...l.paint, 'fill-antialias': false } };
    }
    if (laterSources.has(l.source)) {
      held.push([l.id, 'layout', 'visibility', l.layout?.visibility]);
      return { ...l, layout: { ...l.layout, visibility: 'none' } };
    }
    const props = opacityProps[l.type] || [];
    if (!props.length) return l;
    const paint = { ...l.paint };
    for (const p of props) {
      held.push([l.id, 'paint', p, paint[p]]);
      paint[p] = 0;
      paint[`${p}-transition`] = { duration: 0, delay: 0 };
    }
    return { ...l, paint };
  });
  return { layers: out, held };
}

// showFirstView hides the map's canvas, and keeps the map from drawing,
// until the first view's basemap and hexagons are loaded; then the next frame
// is drawn and shown, and the held layers come back:
//   - the later sources' layers as soon as the first view is loaded, so that
//     their tiles are asked for by the frame that shows it (none is drawn in
//     it) and load while that frame is read back; shown runs then (the map's
//     own rules, such as which layers the page shows);
//   - the held paint once the first frame is on screen, so that it is drawn
//     with the next. A paint property the page has set meanwhile is kept.
// The map draws through its painter (MapLibre's, not part of its documented
// API): where it has none, the frames before are drawn, hidden, as before.
export function showFirstView(map, { held, background, shown = () => {} }) {
  const canvas = map.getCanvas();
  if (background) map.getContainer().style.background = background;
  canvas.style.visibility = 'hidden';
  const painter = typeof map.painter?.render === 'function' ? map.painter : null;
  const drawFrame = painter?.render;
  let timer = 0;
  let laidOut = false;
  // hidden: nothing drawn; drawing: the next frame is drawn, then shown.
  let phase = 'hidden';
  const loaded = () => awaited.filter((id) => map.getSource(id)).every((id) => map.isSourceLoaded(id));
  // Until the first view is loaded the painter draws nothing; the frame in
  // which it is loaded is drawn (without the sky when the map looks straight
  // down) and shown by the render listener below.
  if (painter) {
    painter.render = (style, transform, options) => {
      if (!loaded()) return;
      draw(false);
      drawFrame.call(painter, style, transform, map.getPitch() === 0 ? { ...options, sky: undefined } : options);
    };
  }
  const layout = () => {
    if (laidOut) return;
    laidOut = true;
    map.off('sourcedata', onData);
    for (const [id, kind, prop, value] of held) if (kind === 'layout' && map.getLayer(id)) map.setLayoutProperty(id, prop, value);
    shown();
  };
  const paint = () => {
    for (const [id, kind, prop, value] of held) {
      if (kind !== 'paint' || !map.getLayer(id)) continue;
      if ([0, false].includes(map.getPaintProperty(id, prop))) map.setPaintProperty(id, prop, value);
    }
  };
  const show = () => {
    phase = 'shown';
    map.off('render', onRender);
    canvas.style.visibility = '';
    layout();
    setTimeout(paint, 0);
  };
  // draw lets the map draw again; the next frame drawn (with repaint, one
  // asked for here) is shown. Without the painter, the frames before were
  // drawn hidden: the last one is shown.
  const draw = (repaint = true) => {
    if (phase !== 'hidden') return;
    phase = 'drawing';
    clearTimeout(timer);
    map.off('idle', onIdle);
    if (!painter) {
      show();
      return;
    }
    painter.render = drawFrame;
    if (repaint) map.triggerRepaint();
  };
  const onIdle = () => draw();
  // The render listener shows the drawn frame, so that listeners added after
  // it see the canvas shown.
  const onRender = () => {
    if (phase === 'drawing') show();
    else if (!painter && loaded()) draw();
  };
  const onData = () => { if (loaded()) layout(); };
  map.on('sourcedata', onData);
  map.on('render', onRender);
  map.once('idle', onIdle);
  timer = setTimeout(onIdle, latestMs);
}
