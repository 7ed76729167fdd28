// Run by `npm run build` after tsc: writes dist/config/config-validators.cjs, braid's config schemas compiled
// ahead of time with ajv's standalone code (see src/config/config-validators.ts).
import { SCHEMA_DIR, SCHEMA_FILES } from "../dist/config/schema-check.js";
import { PRECOMPILED_MODULE, writeConfigValidators } from "../dist/config/config-validators.js";

await writeConfigValidators(SCHEMA_DIR, SCHEMA_FILES, new URL(`../dist/config/${PRECOMPILED_MODULE}`, import.meta.url));
