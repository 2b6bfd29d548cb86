import { parseConfig } from './config.ts';
import { StartError, startPlayground } from './app.ts';

const parsed = parseConfig(process.argv.slice(2), process.env);
if (!parsed.ok) {
  if (parsed.help === true) {
    console.log(parsed.message);
    process.exit(0);
  }
  console.error(`socket-playground: ${parsed.message}\nRun with --help for the options.`);
  process.exit(2);
}

try {
  const playground = await startPlayground(parsed.config);
  console.log(`Socket Playground is running at ${playground.url}`);
  if (playground.capture !== undefined) {
    console.log(playground.capture.ok ? `Packet capture is on (${playground.capture.path}).` : playground.capture.reason);
  }
  console.log('Press Ctrl-C to stop.');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: closing ${playground.sandbox.sessions().size} session(s)…`);
    playground.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  if (error instanceof StartError) {
    console.error(`socket-playground: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
