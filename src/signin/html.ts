// Escaping for the server-rendered pages (the OAuth consent page, the memory page): whatever a string holds,
// it stays text, inside an element or a double- or single-quoted attribute.

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
