// The one line `npm start` prints on a Node older than 22, in place of the AWS SDK's seven-line warning.

/** Lambda runs nodejs22.x, and AWS SDK releases from early January 2027 on require Node 22. */
const RECOMMENDED_MAJOR = 22;

/** The note for this Node version (`process.version`, e.g. "v20.16.0"), or undefined when none is due. */
export function nodeVersionNote(version: string): string | undefined {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major) || major >= RECOMMENDED_MAJOR) return undefined;
  return (
    `Node ${version} works; Node ${RECOMMENDED_MAJOR} or newer is recommended ` +
    `(Lambda runs ${RECOMMENDED_MAJOR}, and AWS SDK releases from January 2027 on need it).`
  );
}
