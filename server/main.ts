import { parseConfig } from './config.ts';
import { StartError, startPlayground } from './app.ts';
import { limitsFor } from './limits.ts';
import { announce, askPrimaryForMetrics, isWorker, onPrimaryMessages, runPrimary } from './cluster.ts';

const parsed = parseConfig(process.argv.slice(2), process.env);
if (!parsed.ok) {
  if (parsed.help === true) {
    console.log(parsed.message);
    process.exit(0);
  }
  console.error(`socket-playground: ${parsed.message}\nRun with --help for the options.`);
  process.exit(2);
}
const config = parsed.config;

if (config.workers > 1 && !isWorker()) {
  await runPrimary(config);
} else {
  const worker = isWorker();
  try {
    const playground = await startPlayground(config, limitsFor(config.maxSessions), worker ? { clusterMetrics: askPrimaryForMetrics } : {});
    const note =
      playground.capture === undefined ? undefined : playground.capture.ok ? `Packet capture is on (${playground.capture.path}).` : playground.capture.reason;
    if (worker) {
      announce({ url: playground.url, ...(note === undefined ? {} : { note }) });
    } else {
      console.log(`Socket Playground is running at ${playground.url}`);
      if (note !== undefined) console.log(note);
      if (playground.metricsPort !== undefined) console.log(`Metrics at http://${config.metricsHost}:${playground.metricsPort}/metrics`);
      console.log('Press Ctrl-C to stop.');
    }
    let stopping = false;
    const stop = (signal: string | undefined) => {
      if (stopping) return;
      stopping = true;
      if (!worker) console.log(`\n${signal}: closing ${playground.sandbox.sessions().size} session(s)…`);
      playground.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    // A worker drains when its primary says so; Ctrl-C reaches the whole process group, so it may also hear SIGINT itself.
    if (worker) onPrimaryMessages(() => stop(undefined));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  } catch (error) {
    if (error instanceof StartError) {
      if (worker) announce({ error: error.message });
      else console.error(`socket-playground: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
