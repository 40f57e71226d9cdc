// Dawn adapter probe for bench/gpu/device.sh: prints what requestAdapter() returns (default,
// high-performance, compatibility) with vendor, device, fallback flag, features and limits, so a
// run shows whether Dawn found the real GPU or a software adapter. Extra arguments are Dawn flags.
// Runs from the unpacked payload (node_modules/webgpu beside it): node probe.mjs [backend=vulkan]
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const flags = process.argv.slice(2);
const gpu = create(flags);
for (const opts of [{}, { powerPreference: 'high-performance' }, { featureLevel: 'compatibility' }]) {
  try {
    const a = await gpu.requestAdapter(opts);
    if (!a) { console.log(`probe ${JSON.stringify(opts)} flags=${flags}: NO ADAPTER`); continue; }
    const i = a.info ?? {};
    console.log(`probe ${JSON.stringify(opts)} flags=${flags}: vendor=${i.vendor} arch=${i.architecture} device=${i.device} desc=${i.description} fallback=${a.isFallbackAdapter ?? i.isFallbackAdapter}`);
    console.log(`  features: ${[...a.features].join(',')}`);
    console.log(`  maxComputeInvocationsPerWorkgroup=${a.limits.maxComputeInvocationsPerWorkgroup} maxStorageBufferBindingSize=${a.limits.maxStorageBufferBindingSize} maxBufferSize=${a.limits.maxBufferSize}`);
  } catch (e) {
    console.log(`probe ${JSON.stringify(opts)}: ERROR ${e?.stack ?? e}`);
  }
}
process.exit(0);
