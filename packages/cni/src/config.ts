import { CniError, ErrorCode } from './errors.js';
import {
  SUPPORTED_VERSIONS,
  type BridgeNetConf,
  type CniCommand,
  type CniEnv,
  type CniResult,
  type CniVersion,
  type Dns,
  type IpamConfig,
} from './types.js';

const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION'];
const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const invalid = (msg: string): CniError => new CniError(ErrorCode.InvalidNetworkConfig, msg);

/** Linux interface name rules (as libcni ValidateInterfaceName). */
export function validIfName(name: string): boolean {
  return name.length > 0 && name.length <= 15 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

export function isSupportedVersion(v: unknown): v is CniVersion {
  return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

export function parseEnv(env: NodeJS.ProcessEnv): CniEnv {
  const command = env['CNI_COMMAND'];
  if (!command) throw new CniError(ErrorCode.InvalidEnvironment, 'required env variable CNI_COMMAND is missing');
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CniError(ErrorCode.InvalidEnvironment, `unknown CNI_COMMAND: ${command}`);
  }
  const cmd = command as CniCommand;
  const containerId = env['CNI_CONTAINERID'] ?? '';
  const netns = env['CNI_NETNS'] ?? '';
  const ifname = env['CNI_IFNAME'] ?? '';
  if (cmd !== 'VERSION') {
    const missing: string[] = [];
    if (!containerId) missing.push('CNI_CONTAINERID');
    if (!ifname) missing.push('CNI_IFNAME');
    if (!netns && cmd !== 'DEL') missing.push('CNI_NETNS');
    if (!env['CNI_PATH'] && cmd !== 'DEL') missing.push('CNI_PATH');
    if (missing.length > 0) {
      throw new CniError(ErrorCode.InvalidEnvironment, `required env variables [${missing.join(',')}] missing`);
    }
    if (!CONTAINER_ID_RE.test(containerId)) {
      throw new CniError(ErrorCode.InvalidEnvironment, `invalid characters in containerID "${containerId}"`);
    }
    if (!validIfName(ifname)) throw new CniError(ErrorCode.InvalidEnvironment, `invalid interface name "${ifname}"`);
    if (netns && !netns.startsWith('/')) {
      throw new CniError(ErrorCode.InvalidEnvironment, `CNI_NETNS must be an absolute path, got "${netns}"`);
    }
  }
  const args: Record<string, string> = {};
  for (const kv of (env['CNI_ARGS'] ?? '').split(';')) {
    if (!kv) continue;
    const i = kv.indexOf('=');
    if (i <= 0) throw new CniError(ErrorCode.InvalidEnvironment, `invalid CNI_ARGS pair "${kv}"`);
    args[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const path = (env['CNI_PATH'] ?? '').split(':').filter((p) => p.length > 0);
  return { command: cmd, containerId, netns, ifname, args, path };
}

function optBool(o: Record<string, unknown>, key: string, def = false): boolean {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') throw invalid(`"${key}" must be a boolean`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes stdin JSON (code 6 on malformed JSON). */
export function decodeJson(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CniError(ErrorCode.DecodingFailure, 'failed to decode network configuration', (e as Error).message);
  }
  if (!isObject(raw)) throw new CniError(ErrorCode.DecodingFailure, 'network configuration must be a JSON object');
  return raw;
}

export function parseConfig(text: string): BridgeNetConf {
  const raw = decodeJson(text);
  const v = raw['cniVersion'];
  if (v === undefined || v === '') throw invalid('"cniVersion" is required');
  if (!isSupportedVersion(v)) {
    throw new CniError(
      ErrorCode.IncompatibleVersion,
      `incompatible CNI versions: config is "${String(v)}", plugin supports [${SUPPORTED_VERSIONS.join(' ')}]`,
    );
  }
  const name = raw['name'];
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw invalid('"name" is required and must be a valid network name');
  const type = raw['type'];
  if (typeof type !== 'string' || type === '') throw invalid('"type" is required');
  const bridge = raw['bridge'] ?? 'cni0';
  if (typeof bridge !== 'string' || !validIfName(bridge)) throw invalid(`invalid "bridge" name ${JSON.stringify(bridge)}`);
  let mtu: number | undefined;
  if (raw['mtu'] !== undefined && raw['mtu'] !== null && raw['mtu'] !== 0) {
    const m = raw['mtu'];
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 68 || m > 65535) throw invalid('"mtu" must be an integer in [68, 65535]');
    mtu = m;
  }
  const ipamRaw = raw['ipam'];
  if (!isObject(ipamRaw)) throw invalid('"ipam" is required');
  if (typeof ipamRaw['type'] !== 'string' || ipamRaw['type'] === '') throw invalid('"ipam.type" is required');
  if (ipamRaw['dataDir'] !== undefined && typeof ipamRaw['dataDir'] !== 'string') throw invalid('"ipam.dataDir" must be a string');
  if (ipamRaw['routes'] !== undefined && !Array.isArray(ipamRaw['routes'])) throw invalid('"ipam.routes" must be a list');
  const ipam = ipamRaw as unknown as IpamConfig;
  let dns: Dns | undefined;
  if (raw['dns'] !== undefined) {
    if (!isObject(raw['dns'])) throw invalid('"dns" must be an object');
    dns = raw['dns'] as Dns;
  }
  let prevResult: CniResult | undefined;
  if (raw['prevResult'] !== undefined && raw['prevResult'] !== null) {
    if (!isObject(raw['prevResult'])) throw new CniError(ErrorCode.DecodingFailure, '"prevResult" must be an object');
    prevResult = raw['prevResult'] as unknown as CniResult;
  }
  const isDefaultGateway = optBool(raw, 'isDefaultGateway');
  const conf: BridgeNetConf = {
    cniVersion: v,
    name,
    type,
    bridge,
    // isDefaultGateway implies isGateway (as the reference plugin)
    isGateway: optBool(raw, 'isGateway') || isDefaultGateway,
    isDefaultGateway,
    forceAddress: optBool(raw, 'forceAddress'),
    ipMasq: optBool(raw, 'ipMasq'),
    hairpinMode: optBool(raw, 'hairpinMode'),
    promiscMode: optBool(raw, 'promiscMode'),
    ipam,
    raw,
  };
  if (mtu !== undefined) conf.mtu = mtu;
  if (dns !== undefined) conf.dns = dns;
  if (prevResult !== undefined) conf.prevResult = prevResult;
  return conf;
}
