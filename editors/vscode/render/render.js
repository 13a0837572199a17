// node render.js FILE.flow OUT.svg [first-line last-line]
//
// Tokenizes FILE.flow with the extension's grammar through vscode-textmate and
// vscode-oniguruma (the tokenizer and regex engine VS Code itself runs), colours the scopes
// with VS Code's "Dark Modern" colours for those scopes, and writes an SVG of an editor
// window; `rsvg-convert -o OUT.png OUT.svg` makes the picture in the README.
const fs = require("fs");
const path = require("path");
const oniguruma = require("vscode-oniguruma");
const textmate = require("vscode-textmate");

const [file, out, first = "1", last = "1000000"] = process.argv.slice(2);
if (!file || !out) {
  console.error("usage: node render.js FILE.flow OUT.svg [first-line last-line]");
  process.exit(2);
}

// Dark Modern's token colours for the scopes the grammar uses (most specific first).
const THEME = [
  ["comment", "#6A9955"],
  ["punctuation.section.embedded", "#C586C0"],
  ["variable.other.jsonata", "#9CDCFE"],
  ["support.type.property-name.path", "#4FC1FF"],
  ["support.type.property-name", "#9CDCFE"],
  ["string", "#CE9178"],
  ["variable.other.path", "#4FC1FF"],
  ["variable.other.resource", "#4EC9B0"],
  ["entity.name.type.state.reference", "#4EC9B0"],
  ["entity.name.type.state", "#4EC9B0"],
  ["entity.name.function", "#DCDCAA"],
  ["support.function", "#DCDCAA"],
  ["support.constant.error", "#4FC1FF"],
  ["storage.type", "#569CD6"],
  ["keyword.control", "#C586C0"],
  ["keyword.operator.word", "#569CD6"],
  ["keyword.operator", "#D4D4D4"],
  ["keyword", "#569CD6"],
  ["constant.numeric", "#B5CEA8"],
  ["constant.language", "#569CD6"],
  ["support.type", "#4EC9B0"],
];
const FOREGROUND = "#CCCCCC";

function colour(scopes) {
  for (let i = scopes.length - 1; i >= 0; i--) {
    for (const [prefix, c] of THEME) {
      if (scopes[i] === prefix || scopes[i].startsWith(prefix + ".")) return c;
    }
  }
  return FOREGROUND;
}

function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function main() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== "source.flow") return null;
      const grammarPath = path.join(__dirname, "..", "syntaxes", "flow.tmLanguage.json");
      return textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath);
    },
  });
  const grammar = await registry.loadGrammar("source.flow");
  const lines = fs.readFileSync(file, "utf8").split("\n");
  let state = textmate.INITIAL;
  const rows = [];
  lines.forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    if (index + 1 < Number(first) || index + 1 > Number(last)) return;
    const spans = result.tokens.map((t) => {
      const text = line.substring(t.startIndex, t.endIndex);
      return `<tspan fill="${colour(t.scopes)}">${escape(text)}</tspan>`;
    });
    rows.push({ number: index + 1, spans: spans.join("") });
  });
  const lineHeight = 19;
  const charWidth = 8.4;
  const gutter = 56;
  const width = Math.ceil(gutter + 16 + charWidth * Math.max(...lines.slice(Number(first) - 1, Number(last)).map((l) => l.length), 60));
  const titleBar = 34;
  const height = titleBar + 12 + rows.length * lineHeight + 12;
  const body = rows
    .map((r, i) => {
      const y = titleBar + 12 + (i + 1) * lineHeight - 5;
      return `<text x="${gutter - 16}" y="${y}" text-anchor="end" fill="#6E7681">${r.number}</text>` +
        `<text x="${gutter}" y="${y}" xml:space="preserve">${r.spans}</text>`;
    })
    .join("\n");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans Mono, monospace" font-size="14">
<rect width="100%" height="100%" fill="#1F1F1F"/>
<rect width="100%" height="${titleBar}" fill="#181818"/>
<text x="16" y="22" fill="#CCCCCC" font-family="DejaVu Sans, sans-serif" font-size="13">${escape(path.basename(file))}</text>
${body}
</svg>
`;
  fs.writeFileSync(out, svg);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
