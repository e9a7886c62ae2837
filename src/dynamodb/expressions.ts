// ExpressionAttributeNames for DynamoDB expressions written with #placeholders: exactly the placeholders an
// expression uses, each resolved through the caller's table of names (a typo fails loudly, not in AWS).

export function expressionAttributeNames(
  names: Readonly<Record<string, string>>,
  expressions: readonly string[],
): Record<string, string> {
  const used: Record<string, string> = {};
  for (const placeholder of expressions.join(" ").match(/#\w+/g) ?? []) {
    const name = names[placeholder];
    if (name === undefined) throw new Error(`no attribute name for ${placeholder}`);
    used[placeholder] = name;
  }
  return used;
}
