// `pno report get <kind>`: the newest report of a kind the product stored (routine-daily, security,
// compliance, metrics, …), from reports/<kind>/<day>/<workflow id>.json, printed as stored.
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { CliContext } from './context.ts';

export class ReportNotFound extends Error {
  override name = 'ReportNotFound';
}

export async function printReport(ctx: CliContext, kind: string, day?: string): Promise<void> {
  const { bucket } = ctx.config.s3;
  const prefix = `reports/${kind}/${day ? `${day}/` : ''}`;
  let newest: { key: string; at: number } | undefined;
  let token: string | undefined;
  do {
    const page = await ctx
      .s3()
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const at = object.LastModified?.getTime() ?? 0;
      if (object.Key?.endsWith('.json') && (!newest || at > newest.at)) newest = { key: object.Key, at };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (!newest) throw new ReportNotFound(`no ${kind} report under s3://${bucket}/${prefix}`);
  const object = await ctx.s3().send(new GetObjectCommand({ Bucket: bucket, Key: newest.key }));
  const report = JSON.parse(await object.Body!.transformToString()) as unknown;
  ctx.note(`s3://${bucket}/${newest.key}`);
  // The report is JSON either way: text output is the same document.
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
