/**
 * Kustomize bases and overlays for HA ActiveMQ Classic on Kubernetes, secure by default.
 *
 * @module @activemq-ha/manifests
 */
export type {
  ActivemqXmlOptions,
  BrokerUser,
  KahaDbTuning,
  TransportConnectorOptions,
} from './broker/activemq-xml.js';
export {
  DEFAULT_LOCK_ACQUIRE_SLEEP_INTERVAL_MS,
  DEFAULT_LOCK_KEEP_ALIVE_PERIOD_MS,
  DEFAULT_MAX_FRAME_SIZE,
  renderActivemqXml,
  transportPorts,
} from './broker/activemq-xml.js';
export { renderConsoleFiles } from './broker/broker-config.js';
export type {
  BrokerConfigFile,
  BrokerConfigLayout,
  BrokerVersion,
} from './broker/broker-version.js';
export {
  brokerConfigLayout,
  checkBrokerVersion,
  isSupportedBrokerLine,
  parseBrokerVersion,
  SUPPORTED_BROKER_LINES,
} from './broker/broker-version.js';
export type { JettyXmlOptions } from './broker/jetty-xml.js';
export { renderJettyXml } from './broker/jetty-xml.js';
export { JMX_EXPORTER_RULES, jmxExporterAgentFlag } from './broker/jmx-exporter-yaml.js';
export { BROKER_JIT_FLAGS } from './broker/jvm-flags.js';
export type { BrokerProtocol } from './broker/protocols.js';
export { BROKER_PROTOCOLS, isBrokerProtocol } from './broker/protocols.js';
export type { RedeliveryOptions } from './broker/redelivery-xml.js';
export { DEFAULT_REDELIVERY } from './broker/redelivery-xml.js';
export type { SystemUsageOptions } from './broker/system-usage-xml.js';
export type { TakeoverProfile, TakeoverSettings } from './broker/takeover-profiles.js';
export {
  DEFAULT_TAKEOVER_PROFILE,
  isTakeoverProfile,
  TAKEOVER_PROFILE_NAMES,
  TAKEOVER_PROFILES,
} from './broker/takeover-profiles.js';
export { COMPONENTS, overlayDefaults } from './components.js';
export { CREDENTIAL_FILES, generatePassword } from './credentials.js';
export type { ManifestsErrorCode, OptionProblem } from './errors.js';
export { ManifestsError } from './errors.js';
export type { KubeObject, Manifest, ManifestComment } from './objects/manifest.js';
export type {
  AgentOptions,
  BaseOptions,
  BrokerOptions,
  ConsoleOptions,
  CredentialsOptions,
  ExistingSecretCredentials,
  NetworkPolicyOptions,
  NfsOptions,
  OverlayOptions,
  ResourceRequirements,
  ServiceOptions,
  StorageOptions,
} from './options.js';
export {
  agentImageBuildCommand,
  DEFAULT_AGENT_IMAGE,
  DEFAULT_AGENT_VERSION,
  DEFAULT_BROKER_IMAGE,
  DEFAULT_BROKER_VERSION,
  DEFAULT_NAME,
  DEFAULT_NFS_MOUNT_OPTIONS,
  PACKAGE_VERSION,
} from './options.js';
export type { FileTree } from './render-base.js';
export { renderBase } from './render-base.js';
export type { RenderOptions } from './render-objects.js';
export { renderObjects, renderYaml } from './render-objects.js';
export { renderOverlay } from './render-overlay.js';
export type { ResolvedBaseOptions, ResolvedOverlayOptions } from './resolve-options.js';
export { resolveBaseOptions, resolveOverlayOptions } from './resolve-options.js';
export type { PlannedFile, WriteTreeOptions, WriteTreeResult } from './write-tree.js';
export { planTree, writeTree } from './write-tree.js';
