/**
 * The subject token of Google workload identity federation from AWS (`credential_source` with
 * `environment_id: aws1`): a GetCallerIdentity request signed with the machine's AWS credentials
 * (found as a bedrock provider finds them: environment, profile, web identity, container, IMDSv2),
 * serialised for Google's STS, which replays it to learn who the caller is. The region comes from
 * AWS_REGION / AWS_DEFAULT_REGION, else the instance metadata (`region_url`).
 */
import aws4 from "aws4";
import { AwsCredentialChain } from "../bedrock/aws-credentials.js";
import type { ExternalAccountDeps } from "./google-external-account.js";

type Json = Record<string, unknown>;
const DEFAULT_VERIFY = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
const METADATA_TIMEOUT_MS = 1_000;

export async function awsSubjectToken(
  src: Json,
  audience: string,
  file: string,
  deps: ExternalAccountDeps,
): Promise<string> {
  if (src.environment_id !== "aws1")
    throw new Error(`${file}: AWS environment ${JSON.stringify(src.environment_id)} is not supported (aws1)`);
  const region = await awsRegion(src, file, deps);
  const creds = await new AwsCredentialChain({ env: deps.env, fetch: deps.fetch }).get();
  const template =
    typeof src.regional_cred_verification_url === "string"
      ? src.regional_cred_verification_url
      : DEFAULT_VERIFY;
  const target = template.replace("{region}", region);
  const url = new URL(target);
  const signed = aws4.sign(
    {
      host: url.host,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      service: "sts",
      region,
      headers: { "x-goog-cloud-target-resource": audience },
    },
    {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
    },
  );
  const headers: Array<{ key: string; value: string }> = [];
  for (const [key, value] of Object.entries(signed.headers ?? {}))
    if (value !== undefined) headers.push({ key, value: String(value) });
  // The URL as the file writes it (Google's libraries send it so), the headers as signed.
  return encodeURIComponent(JSON.stringify({ url: target, method: "POST", headers }));
}

/** The region: the environment's, else the instance's (its availability zone less the letter). */
async function awsRegion(src: Json, file: string, deps: ExternalAccountDeps): Promise<string> {
  const fromEnv = deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const regionUrl = typeof src.region_url === "string" ? src.region_url : undefined;
  if (!regionUrl) throw new Error(`${file}: no AWS region (AWS_REGION, or credential_source.region_url)`);
  const headers: Record<string, string> = {};
  if (typeof src.imdsv2_session_token_url === "string") {
    const t = await deps.fetch(src.imdsv2_session_token_url, {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "300" },
      signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
    });
    if (t.ok) headers["x-aws-ec2-metadata-token"] = await t.text();
  }
  let res: Response;
  try {
    res = await deps.fetch(regionUrl, { headers, signal: AbortSignal.timeout(METADATA_TIMEOUT_MS) });
  } catch {
    throw new Error(`${file}: the AWS region cannot be read from ${regionUrl} (not on EC2? set AWS_REGION)`);
  }
  const zone = (await res.text()).trim();
  if (!res.ok || !/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(zone))
    throw new Error(`${file}: ${regionUrl} gave no availability zone (set AWS_REGION)`);
  return zone.slice(0, -1);
}
