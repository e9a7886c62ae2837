// Turns the raw results into docs/benchmarks/chart.svg: bars of the modelled 128 MB cold session per subject.
// Hand-written SVG: no chart library.
import { invokeSlowdown, ONE_VCPU_MB } from "./model.ts";
import { type BenchResults, summarise } from "./report.ts";

const COLORS = { init: "#8da0cb", invoke: "#fc8d62", ours: "#1b9e77" };

/** Horizontal bars: the median session's INIT part and invoke part, with the sessions' min–max as a whisker. */
export function renderChart(results: BenchResults): string {
  const summaries = summarise(results);
  const width = 760;
  const labelWidth = 250;
  const barArea = width - labelWidth - 90;
  const rowHeight = 34;
  const top = 48;
  const axisY = top + summaries.length * rowHeight;
  const height = axisY + 56;
  const maxValue = Math.max(...summaries.map((summary) => summary.modelled.max));
  const scale = barArea / niceCeiling(maxValue);
  const x = (ms: number): number => labelWidth + ms * scale;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">Modelled cold session on a ${results.memoryMb} MB Lambda (ms, lower is better)</text>`,
    `<text x="12" y="40" fill="#555">INIT CPU + invoke CPU x ${ONE_VCPU_MB}/${results.memoryMb}; median of ${results.sessionsPerSubject} sessions, whisker = min–max</text>`,
  ];
  const ticks = 5;
  const tickStep = niceCeiling(maxValue) / ticks;
  for (let tick = 0; tick <= ticks; tick++) {
    const value = tick * tickStep;
    const tx = x(value);
    parts.push(
      `<line x1="${tx.toFixed(1)}" y1="${top - 4}" x2="${tx.toFixed(1)}" y2="${axisY + 2}" stroke="#e5e5e5"/>`,
      `<text x="${tx.toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#555">${Math.round(value)}</text>`,
    );
  }
  summaries.forEach((summary, index) => {
    const y = top + index * rowHeight;
    const initWidth = summary.modelledInit * scale;
    const invokeWidth = summary.modelledInvoke * scale;
    const isOurs = summary.id === "ours";
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 19}" text-anchor="end"${isOurs ? ' font-weight="700"' : ""}>${escapeXml(summary.title)}</text>`,
      `<rect x="${labelWidth}" y="${y + 6}" width="${initWidth.toFixed(1)}" height="20" fill="${COLORS.init}"/>`,
      `<rect x="${(labelWidth + initWidth).toFixed(1)}" y="${y + 6}" width="${invokeWidth.toFixed(1)}" height="20" fill="${isOurs ? COLORS.ours : COLORS.invoke}"/>`,
      `<line x1="${x(summary.modelled.min).toFixed(1)}" y1="${y + 16}" x2="${x(summary.modelled.max).toFixed(1)}" y2="${y + 16}" stroke="#333"/>`,
      `<line x1="${x(summary.modelled.min).toFixed(1)}" y1="${y + 11}" x2="${x(summary.modelled.min).toFixed(1)}" y2="${y + 21}" stroke="#333"/>`,
      `<line x1="${x(summary.modelled.max).toFixed(1)}" y1="${y + 11}" x2="${x(summary.modelled.max).toFixed(1)}" y2="${y + 21}" stroke="#333"/>`,
      `<text x="${(x(summary.modelled.max) + 6).toFixed(1)}" y="${y + 20}"${isOurs ? ' font-weight="700"' : ""}>${Math.round(summary.modelled.median)}</text>`,
    );
  });
  const legendY = axisY + 32;
  parts.push(
    `<rect x="12" y="${legendY - 2}" width="12" height="12" fill="${COLORS.init}"/>`,
    `<text x="28" y="${legendY + 8}" fill="#333">INIT CPU</text>`,
    `<rect x="100" y="${legendY - 2}" width="12" height="12" fill="${COLORS.invoke}"/>`,
    `<text x="116" y="${legendY + 8}" fill="#333">invoke CPU x ${invokeSlowdown(results.memoryMb).toFixed(1)}</text>`,
    `<rect x="250" y="${legendY - 2}" width="12" height="12" fill="${COLORS.ours}"/>`,
    `<text x="266" y="${legendY + 8}" fill="#333">invoke CPU x ${invokeSlowdown(results.memoryMb).toFixed(1)}, ours</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10])
    if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
