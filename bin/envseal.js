#!/usr/bin/env node
// The only file that touches process.argv and process.exitCode; everything else gets an Io.
import { main } from '../dist/main.js';
import { nodeIo } from '../dist/io.js';

process.exitCode = await main(process.argv.slice(2), nodeIo());
