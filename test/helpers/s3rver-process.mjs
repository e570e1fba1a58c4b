// An S3 API for the tests, in a process of its own (stopped by PID): s3rver on 127.0.0.1, on a
// free port, storing under the directory given; prints {"port": N} once it listens.
//   node test/helpers/s3rver-process.mjs <directory> <bucket> [<part number to hang on>]
// With a part number, the upload of that part of any multipart upload is received and never
// answered (after printing {"hanging": N}): a test can kill the uploader while it is midway,
// deterministically.
import S3rver from 's3rver';

const [directory, bucket, hangPart] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
  vhostBuckets: false,
});
if (hangPart !== undefined) {
  // First in the chain, before s3rver's router sees the request.
  server.middleware.unshift(async (ctx, next) => {
    if (ctx.method === 'PUT' && ctx.query.partNumber === hangPart && ctx.query.uploadId) {
      process.stdout.write(`${JSON.stringify({ hanging: Number(hangPart) })}\n`);
      await new Promise(() => undefined);
    }
    await next();
  });
}
server.run().then(
  (address) => {
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  },
  (error) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => process.exit(0));
