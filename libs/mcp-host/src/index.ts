export { hostMcp, type HostedMcp, type McpServerFactory, type McpTransportChoice } from './mcp.host';
