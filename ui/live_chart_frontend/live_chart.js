// One Plotly chart kept for its Streamlit key: a new figure is drawn with Plotly.react, which
// changes what changed, instead of a new chart (and, for a 3-D scatter, new WebGL shaders).
"use strict";

const chart = document.getElementById("chart");
let frameHeight = -1;
let drawn = 0;

function tell(type, fields) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, fields), "*");
}

// The look st.plotly_chart gives the app's other charts in the page's theme (streamlit_look.js,
// read from Streamlit's front end by scripts/streamlit_chart_look.py), as the figure's template,
// and its title in bold as Streamlit writes it.
function themed(layout, theme) {
  const dark = Boolean(theme && theme.base === "dark");
  const themedLayout = Object.assign({}, layout, { template: window.STREAMLIT_LOOK[dark ? "dark" : "light"] });
  const title = layout.title;
  if (title && title.text) themedLayout.title = Object.assign({}, title, { text: "<b>" + title.text + "</b>" });
  return themedLayout;
}

// The app's "Source Sans" faces, from the page that holds this frame (same origin), so the chart's
// text is the app's: without them the frame falls back to the browser's wider sans-serif.
function borrowAppFonts() {
  let css = "";
  try {
    for (const sheet of window.parent.document.styleSheets) {
      let rules;
      try {
        rules = sheet.cssRules;
      } catch (error) {
        continue; // a style sheet of another origin
      }
      const base = sheet.href || window.parent.location.href;
      for (const rule of rules) {
        if (rule.type !== CSSRule.FONT_FACE_RULE) continue;
        if (!/Source Sans/.test(rule.style.getPropertyValue("font-family"))) continue;
        css += rule.cssText.replace(/url\("([^"]+)"\)/g, function (match, url) {
          return 'url("' + new URL(url, base).href + '")';
        }) + "\n";
      }
    }
  } catch (error) {
    return Promise.resolve(); // not Streamlit's page: the browser's sans-serif
  }
  const style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);
  // Plotly measures its text to lay the chart out: the faces must be there before it draws.
  const loaded = Promise.all([document.fonts.load('400 12px "Source Sans"'), document.fonts.load('700 16px "Source Sans"')]);
  const patience = new Promise(function (resolve) { setTimeout(resolve, 1000); });
  return Promise.race([loaded, patience]).catch(function () {});
}

const fontsReady = borrowAppFonts();

function draw(args, theme) {
  const figure = JSON.parse(args.figure);
  const height = args.height;
  if (height !== frameHeight) {
    frameHeight = height;
    tell("streamlit:setFrameHeight", { height: height });
  }
  const layout = themed(figure.layout || {}, theme);
  layout.height = height;
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
  if (message && message.type === "streamlit:render") {
    chart.dataset.pending = "1"; // from the figure's arrival, which may wait for the fonts
    fontsReady.then(function () { draw(message.args, message.theme); });
  }
});

tell("streamlit:componentReady", { apiVersion: 1 });
