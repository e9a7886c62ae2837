// Builds the Lambda: compiles the tool schemas, bundles src/lambda.ts with esbuild for node22 into
// dist/lambda/ (index.mjs, the handler, and the chunks it imports: see scripts/lambda-esbuild.mjs), and
// zips every file there into dist/lambda.zip with fixed timestamps, so that the same source gives the same
// zip (and Terraform's source_code_hash only changes when the code does).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";
import { build } from "esbuild";
import { lambdaBuildOptions } from "./lambda-esbuild.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist", "lambda");

execFileSync(process.execPath, [join(root, "scripts", "compile-schemas.mjs")], { stdio: "inherit" });

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const result = await build(
  lambdaBuildOptions({ entryPoint: join(root, "src", "lambda.ts"), outdir: outDir }),
);
writeFileSync(join(root, "dist", "meta.json"), JSON.stringify(result.metafile));

// Sorted, so the zip does not depend on the order the file system lists them in.
const files = readdirSync(outDir)
  .sort()
  .map((name) => ({ name, data: readFileSync(join(outDir, name)) }));
writeFileSync(join(root, "dist", "lambda.zip"), zip(files));
const zipSize = statSync(join(root, "dist", "lambda.zip")).size;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const total = files.reduce((sum, file) => sum + file.data.length, 0);
console.log(
  `dist/lambda/: ${files.length} files, ${kib(total)} (index.mjs ${kib(statSync(join(outDir, "index.mjs")).size)}), dist/lambda.zip ${kib(zipSize)}`,
);

/** A minimal deflate zip writer (PKWARE APPNOTE 4.3), enough for a Lambda package. */
function zip(files) {
  const DOS_TIME = 0; // 00:00:00
  const DOS_DATE = (1 << 5) | 1; // 1980-01-01: fixed, so builds are reproducible
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, "utf8");
    const compressed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

function crc32(data) {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
