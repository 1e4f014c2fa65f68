package org.audienceengine.tools;

import org.audienceengine.cli.CommandProvider;
import org.audienceengine.tools.bootstrap.BootstrapCommand;
import org.audienceengine.tools.inspect.InspectCommand;
import org.audienceengine.tools.members.EstimateCommand;
import org.audienceengine.tools.members.MembersCommand;

import java.util.LinkedHashMap;
import java.util.Map;

/** The state tools, as commands of {@code bin/audience-engine}. */
public final class ToolCommands implements CommandProvider {
    @Override
    public Map<String, Object> commands() {
        Map<String, Object> commands = new LinkedHashMap<>();
        commands.put("inspect", new InspectCommand());
        commands.put("members", new MembersCommand());
        commands.put("estimate", new EstimateCommand());
        commands.put("bootstrap", new BootstrapCommand());
        return commands;
    }
}
