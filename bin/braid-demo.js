#!/usr/bin/env node
// `npm run demo`: prepares the example repos and runs braid on the example fleet.
import { register } from "tsx/esm/api";

register();
const { runDemo } = await import("../examples/demo.ts");
process.exitCode = await runDemo();
