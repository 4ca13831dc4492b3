/**
 * The baseline: the single-stage Dockerfile people write first for a Node model server. One COPY of
 * everything, then `npm install` as root in the final image, so the npm cache, every platform's ONNX
 * Runtime binaries and the build CA stay in it, and any file change re-runs the install.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { NODE_IMAGE } from '../../src/containerize/distro.js';
import { listFiles } from '../../src/core/files.js';

export const NAIVE_DOCKERFILE = `FROM ${NODE_IMAGE}
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
# Without it onnxruntime-node's install script fetches the CUDA provider from NuGet.
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY . .
RUN if [ -f build-ca.crt ]; then export NODE_EXTRA_CA_CERTS=/app/build-ca.crt; fi && npm install
ENV BENTOCI_BENTO_DIR=/app/bento
EXPOSE 3000
CMD ["node", "server.js"]
`;

/** The naive context: Dockerfile, runtime package files and bundle at the top, the bento (models included) in bento/. */
export async function naiveContext(options: {
  bentoDir: string;
  runtimeBundleDir: string;
  runtimePackageDir: string;
  caFile?: string | undefined;
}): Promise<NodeJS.ReadableStream> {
  const files: Array<[string, string]> = [
    ['package.json', join(options.runtimePackageDir, 'package.json')],
    ['package-lock.json', join(options.runtimePackageDir, 'package-lock.json')],
  ];
  if (options.caFile) files.push(['build-ca.crt', options.caFile]);
  for (const name of (await readdir(options.runtimeBundleDir)).filter((n) => n.endsWith('.js'))) {
    files.push([name, join(options.runtimeBundleDir, name)]);
  }
  for (const rel of await listFiles(options.bentoDir, (r) => r === '.signatures'))
    files.push([`bento/${rel}`, join(options.bentoDir, rel)]);

  const pack = tar.pack();
  void (async () => {
    await new Promise<void>((res, rej) =>
      pack.entry({ name: 'Dockerfile', mode: 0o644 }, NAIVE_DOCKERFILE, (e) => (e ? rej(e) : res())),
    );
    for (const [name, path] of files) {
      const { size } = await stat(path);
      const sink = pack.entry({ name, size, mode: 0o644 });
      const done = new Promise<void>((res, rej) => sink.on('finish', () => res()).on('error', rej));
      for await (const chunk of createReadStream(path)) sink.write(chunk);
      sink.end(undefined);
      await done;
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return pack as unknown as NodeJS.ReadableStream;
}
