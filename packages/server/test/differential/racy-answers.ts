/**
 * Answers of the real server that depend on a race inside it or on its host: each is recorded as
 * one token when a step says it varies (see the step options in scenario.ts), so that either of
 * its forms compares equal; any other answer is recorded as it is.
 */
import type { ExchangeRecord, RequestStep } from './scenario.js';

/** `record` with the racy parts `step` declares replaced by their tokens. */
export function tokenizeRaces(step: RequestStep, record: ExchangeRecord): ExchangeRecord {
  let result = record;
  if (step.outputAtAnswerVaries === true) result = outputAtAnswer(result);
  if (step.noticeFramingVaries === true) result = restartNoticeFraming(result);
  if (step.endedGroupVaries === true) result = signalToEndedGroup(result);
  return result;
}

/** The output fields of a POST answered while the command writes (see `outputAtAnswerVaries`). */
function outputAtAnswer(record: ExchangeRecord): ExchangeRecord {
  const body = record.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return record;
  const race = '<output at the answer: a race>';
  return { ...record, body: { ...body, stdout: race, stderr: race, logs: race } };
}

/** A restart notice on a stream, bare or as stdout (see `noticeFramingVaries`). */
function restartNoticeFraming(record: ExchangeRecord): ExchangeRecord {
  if (!Array.isArray(record.body)) return record;
  const notice = /^(stdout:)?\[Process failed with exit code \d+\. Attempting restart/;
  return {
    ...record,
    body: record.body.map((line: unknown) =>
      typeof line === 'string' && notice.test(line) ? '<restart notice, bare or as stdout>' : line,
    ),
  };
}

/** The two answers of a signal to an ended process's group (see `endedGroupVaries`). */
function signalToEndedGroup(record: ExchangeRecord): ExchangeRecord {
  const body = record.body as { message?: unknown; error?: unknown } | undefined;
  const signalled = record.status === 200 && /^Process (killed|stopped) successfully$/.test(String(body?.message));
  const groupGone =
    record.status === 404 &&
    /^failed to (kill|send SIGTERM to) process with Identifier .+: no such process$/.test(String(body?.error));
  if (!signalled && !groupGone) return record;
  return { ...record, status: 0, body: '<signal to an ended process group: 200 or 404, host-dependent>' };
}
