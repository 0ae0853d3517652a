// One Plotly chart kept for its Streamlit key: a new figure is drawn with Plotly.react, which
// changes what changed, instead of a new chart (and, for a 3-D scatter, new WebGL shaders).
"use strict";

const chart = document.getElementById("chart");
let frameHeight = -1;
let drawn = 0;

function tell(type, fields) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, fields), "*");
}

// The page's theme, for what the figure leaves open: the text colour and font of the app.
function themed(layout, theme) {
  const font = Object.assign({}, layout.font || {});
  if (theme && theme.textColor && !font.color) font.color = theme.textColor;
  if (theme && theme.font && !font.family) font.family = theme.font;
  return Object.assign({}, layout, { font: font });
}

function draw(args, theme) {
  const figure = JSON.parse(args.figure);
  const height = args.height;
  if (height !== frameHeight) {
    frameHeight = height;
    tell("streamlit:setFrameHeight", { height: height });
  }
  const layout = themed(figure.layout || {}, theme);
  layout.height = height;
  chart.dataset.pending = "1";
  const started = performance.now();
  Plotly.react(chart, figure.data || [], layout, args.config || {}).then(function () {
    // Two frames later the new figure is on screen. Read by the browser tests and benchmarks:
    // how many figures this frame drew, when the last was on screen (ms since the epoch) and
    // how long Plotly took to draw it.
    const drawMs = performance.now() - started;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        drawn += 1;
        chart.dataset.drawn = String(drawn);
        chart.dataset.drawnAt = String(performance.timeOrigin + performance.now());
        chart.dataset.drawMs = String(Math.round(drawMs));
        delete chart.dataset.pending;
      });
    });
  });
}

window.addEventListener("message", function (event) {
  if (event.source !== window.parent) return; // only the page that holds this frame
  const message = event.data;
  if (message && message.type === "streamlit:render") draw(message.args, message.theme);
});

tell("streamlit:componentReady", { apiVersion: 1 });
