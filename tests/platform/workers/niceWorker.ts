/** Test worker: sets its own nice value and SCHED_IDLE policy, and reports what the kernel then says. */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { setThisThreadIdlePolicy, setThisThreadNice } from '../../../src/platform/threadPriority.js';

const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
const set = setThisThreadNice(15);
const observed = os.getPriority(tid);
const tooHigh = setThisThreadNice(20);
const negative = setThisThreadNice(-1);
const idle = setThisThreadIdlePolicy();
const policy = spawnSync('chrt', ['--pid', String(tid)], { encoding: 'utf8' }).stdout;
parentPort!.postMessage({ tid, set, observed, tooHigh, negative, idle, policy });
