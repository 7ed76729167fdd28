import { generateFleet } from "../bench/gen-fleet.js";
const g = await generateFleet("/tmp/g3", { clusters: 3, resourcesPerSource: 20 });
console.log(g.fleetDir);
