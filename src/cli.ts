#!/usr/bin/env node
import { registerBentoCommands } from './cli/bentos.js';
import { registerCanaryCommands } from './cli/canary.js';
import { registerContainerizeCommands } from './cli/containerize.js';
import { registerJudgeServerCommand } from './cli/judge-server.js';
import { registerManifestsCommand } from './cli/manifests.js';
import { registerModelCommands } from './cli/models.js';
import { newProgram, runProgram } from './cli/program.js';
import { registerModelRegistryCommands, registerRegistryCommands } from './cli/registry.js';
import { registerServeCommands } from './cli/serve.js';
import { registerSignCommands } from './cli/sign.js';

const program = newProgram();
registerModelRegistryCommands(registerModelCommands(program));
registerBentoCommands(program);
registerContainerizeCommands(program);
registerRegistryCommands(program);
registerSignCommands(program);
registerCanaryCommands(program);
registerJudgeServerCommand(program);
registerManifestsCommand(program);
registerServeCommands(program);

process.exitCode = await runProgram(program, process.argv);
