// A ClickHouse cluster in production shape, for tests of the options that need one: ZooKeeper
// (Debian's package) and two ClickHouse 18.16 replicas of one shard, each serving HTTPS with a
// certificate of a private CA and a user with a password. Everything lives in a temporary folder and
// stops with close().
import { ChildProcess, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { connect, createServer } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import type { TestCertificates } from './test-certificates';

export const CLUSTER_NAME = 'clockodo_test';
export const WRITER = { user: 'sync_writer', password: 'writer-pass-7f3a' };
const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

export interface ClickHouseReplica {
  name: string;
  /** https://127.0.0.1:PORT */
  httpsUrl: string;
  /** Plain HTTP for the test's own checks (user `default`, no password, loopback only). */
  httpUrl: string;
}

export interface ClickHouseCluster {
  replicas: ClickHouseReplica[];
  /** The end of each replica's error log and ZooKeeper's, whether each process still runs. */
  logs(): string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A failed start that another try on other ports may mend. */
class RestartOnOtherPorts extends Error {}

/**
 * Waits until `ok` holds; a RestartOnOtherPorts it throws ends the wait at once. With `restartOnTimeout`
 * the timeout is a RestartOnOtherPorts too (the cluster starts again on other ports).
 */
export async function waitFor(
  what: string,
  ok: () => Promise<boolean>,
  seconds: number,
  log: () => string,
  { restartOnTimeout = false } = {},
) {
  const deadline = Date.now() + seconds * 1000;
  const check = () =>
    ok().catch((e: unknown) => {
      if (e instanceof RestartOnOtherPorts) throw e;
      return false;
    });
  while (!(await check())) {
    if (Date.now() > deadline) {
      const message = `${what} did not start within ${seconds} s:\n${log()}`;
      throw restartOnTimeout ? new RestartOnOtherPorts(message) : new Error(message);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The last lines of a log file, for a message about a server that did not start. */
export const tail = (file: string) => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
};

function replicaConfig(
  dir: string,
  ports: Record<string, number>,
  name: string,
  all: Record<string, number>[],
  zk: number,
  certs: TestCertificates,
) {
  const replicas = all.map((p) => `<replica><host>127.0.0.1</host><port>${p.tcp}</port></replica>`).join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <https_port>${ports.https}</https_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <openSSL>
    <server>
      <certificateFile>${certs.serverCert}</certificateFile>
      <privateKeyFile>${certs.serverKey}</privateKeyFile>
      <verificationMode>none</verificationMode>
      <loadDefaultCAFile>false</loadDefaultCAFile>
      <disableProtocols>sslv2,sslv3</disableProtocols>
    </server>
  </openSSL>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <mark_cache_size>67108864</mark_cache_size>
  <remote_servers><${CLUSTER_NAME}><shard><internal_replication>true</internal_replication>${replicas}</shard></${CLUSTER_NAME}></remote_servers>
  <zookeeper><node><host>127.0.0.1</host><port>${zk}</port></node></zookeeper>
  <macros><shard>01</shard><replica>${name}</replica></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${WRITER.user}><password>${WRITER.password}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${WRITER.user}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

/** True when something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts ZooKeeper and the replicas on free ports. A port found free can still be taken before a
 * server binds it (the tests' own connections draw from the same range): a start where a server
 * exits or lacks a listener is thrown away and tried again on other ports.
 */
export async function startClickHouseCluster(
  certs: TestCertificates,
  replicaCount = 2,
): Promise<ClickHouseCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(certs, replicaCount);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof RestartOnOtherPorts)) throw e;
    }
  }
}

async function startOnce(certs: TestCertificates, replicaCount: number): Promise<ClickHouseCluster> {
  const root = mkdtempSync(path.join(tmpdir(), 'clockodo-cluster-'));
  const processes: ChildProcess[] = [];
  const close = async () => {
    for (const p of processes.reverse()) {
      if (p.exitCode !== null) continue;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const zkPort = await freePort();
    const zkLog = path.join(root, 'zookeeper.log');
    mkdirSync(path.join(root, 'zookeeper'));
    const zk = spawn(
      'java',
      [
        '-Xmx256m',
        '-cp',
        `${ZOOKEEPER_JAR}:/usr/share/java/*`,
        'org.apache.zookeeper.server.ZooKeeperServerMain',
      ].concat([String(zkPort), path.join(root, 'zookeeper')]),
      { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, JVMFLAGS: '' } },
    );
    processes.push(zk);
    // ClickHouse 18.16 must find ZooKeeper serving when it starts: a replica whose first session
    // failed segfaults later, in the first ON CLUSTER statement (zkutil::ZooKeeper::createImpl).
    await waitFor(
      'ZooKeeper',
      async () => {
        if (zk.exitCode !== null) throw new RestartOnOtherPorts(`ZooKeeper exited at start (${zk.exitCode})`);
        return listening(zkPort);
      },
      60,
      () => tail(zkLog),
    );
    const ports = [];
    for (let i = 0; i < replicaCount; i++)
      ports.push({
        http: await freePort(),
        https: await freePort(),
        tcp: await freePort(),
        interserver: await freePort(),
      });
    const replicas: ClickHouseReplica[] = [];
    for (let i = 0; i < replicaCount; i++) {
      const name = `r${i + 1}`;
      const dir = path.join(root, name);
      for (const sub of ['data', 'tmp', 'user_files', 'format_schemas'])
        mkdirSync(path.join(dir, sub), { recursive: true });
      writeFileSync(path.join(dir, 'config.xml'), replicaConfig(dir, ports[i], name, ports, zkPort, certs));
      writeFileSync(path.join(dir, 'users.xml'), USERS);
      processes.push(
        spawn('clickhouse-server', [`--config-file=${path.join(dir, 'config.xml')}`], {
          stdio: ['ignore', 'ignore', 'ignore'],
        }),
      );
      replicas.push({
        name,
        httpsUrl: `https://127.0.0.1:${ports[i].https}`,
        httpUrl: `http://127.0.0.1:${ports[i].http}`,
      });
    }
    for (const [i, r] of replicas.entries()) {
      const server = processes[i + 1];
      const log = () => `${tail(path.join(root, r.name, 'server.err.log'))}\n${tail(zkLog)}`;
      // Up, and talking to ZooKeeper (ZooKeeper's Java start is the slow part). A server that exits
      // instead (a port taken after it was found free) is started again on other ports.
      await waitFor(
        `ClickHouse replica ${r.name}`,
        async () => {
          if (server.exitCode !== null) {
            throw new RestartOnOtherPorts(
              `replica ${r.name} exited at start (${server.exitCode}):\n${log()}`,
            );
          }
          const res = await fetch(
            `${r.httpUrl}/?query=${encodeURIComponent("SELECT count() FROM system.zookeeper WHERE path = '/'")}`,
          );
          return res.ok;
        },
        90,
        log,
      );
      // Up on HTTP; its HTTPS and native ports must be up as well.
      for (const port of [ports[i].https, ports[i].tcp]) {
        await waitFor(`replica ${r.name} on port ${port}`, () => listening(port), 10, log, {
          restartOnTimeout: true,
        });
      }
    }
    const logs = () =>
      [
        ...replicas.map(
          (r, i) =>
            `replica ${r.name} (${processes[i + 1].exitCode === null ? 'running' : `exited ${processes[i + 1].exitCode}`}):\n${tail(path.join(root, r.name, 'server.err.log'))}`,
        ),
        `zookeeper (${zk.exitCode === null ? 'running' : `exited ${zk.exitCode}`}):\n${tail(zkLog)}`,
      ].join('\n');
    return { replicas, logs, close };
  } catch (e) {
    await close();
    throw e;
  }
}
