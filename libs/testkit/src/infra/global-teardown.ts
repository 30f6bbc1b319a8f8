/** Jest global teardown: stop what global setup started; nothing is left running. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__chatbotInfra?.stop();
}
