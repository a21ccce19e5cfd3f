/** Test worker: sets its own nice value with setThisThreadNice and reports what it saw. */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { setThisThreadNice } from '../../../src/platform/threadPriority.js';

const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
const set = setThisThreadNice(15);
parentPort!.postMessage({ tid, set, observed: os.getPriority(tid), tooHigh: setThisThreadNice(20), negative: setThisThreadNice(-1) });
