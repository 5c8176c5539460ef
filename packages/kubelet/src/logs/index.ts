// Container log reading (CRI log files) for the kubelet's /containerLogs endpoint.
export { parseRFC3339, msToNs, type LogTime } from './time.js';
export { parseCriRecord, endsLine, type LogRecord, type LogStream } from './parse.js';
export { findTailStart } from './tail.js';
export { LogWriter, writableSink, type LogSink, type LogWriterOptions } from './writer.js';
export { readLogs, type ReadLogsOptions, type FollowControl } from './reader.js';
export { parsePodLogQuery, readOptionsFor, LogQueryError, type PodLogQuery } from './options.js';
