// Counts in the CLI's messages: "1 memory", "1,234 memories" (digit grouping fixed, whatever the locale).

export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}
