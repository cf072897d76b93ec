// What JavaScript (node) answers for JsonLogic's operators over random values: `node generate.js > coercions.json`.
// Canopy's evaluator emulates these conversions; JavaScriptCoercionTests checks it against this file.
let seed = 12345;
function rnd(n) { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; }
const strings = ["", " ", "0", "1", "-1", "+1", "1.5", ".5", "5.", "1e3", "1e", "1e+3", "-1e-7", "0x1A", "0X1a", "0o17", "0b101", "0x", "Infinity", "-Infinity", "+Infinity", "infinity", "inf", "nan", "NaN", " 12 ", "\t3\n", "12abc", "abc", "1,2", "true", "null", "00012", "1_000", "١", "3.14kg", "  -2.5e2xyz", "1e400", "-0", "0.1"];
function value(depth) {
  switch (rnd(depth > 1 ? 6 : 7)) {
    case 0: return null;
    case 1: return rnd(2) === 0;
    case 2: return [0, 1, -1, 0.5, 2.5, 100, 1e21, 1e-7, 123.456, -0.000001, 3, 7, 1e300, 0.1][rnd(14)];
    case 3: case 4: return strings[rnd(strings.length)];
    case 5: return rnd(3) === 0 ? {"a": 1, "b": 2} : rnd(2) === 0 ? "x" : 4;
    default: { const n = rnd(3); const a = []; for (let i = 0; i < n; i++) a.push(value(depth + 1)); return a; }
  }
}
const cases = [];
for (let i = 0; i < 1500; i++) {
  const a = value(0), b = value(0);
  const num = x => (Number.isFinite(x) ? x : (Number.isNaN(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity")));
  cases.push({a, b,
    eq: a == b, seq: a === b, lt: a < b, le: a <= b, gt: a > b, ge: a >= b,
    plus: num([a].reduce((x, y) => parseFloat(x, 10) + parseFloat(y, 10), 0)),
    neg: num(-a), div: num(a / b), mod: num(a % b),
    cat: [a, b].join(""),
    inn: (b !== null && b !== undefined && typeof b.indexOf === "function") ? b.indexOf(a) !== -1 : false,
  });
}
process.stdout.write("[\n" + cases.map(c => JSON.stringify(c)).join(",\n") + "\n]\n");
