package io.smartrunner.cli;

import io.smartrunner.config.ProfileId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks a profile id or pod name given on the command line against the config's rule
 * ({@link ProfileId}), so an id the config could never hold is a usage error (exit 2) before
 * anything is loaded or asked.
 */
final class IdArgument implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        if (!ProfileId.isValid(value)) {
            throw new TypeConversionException("\"" + value + "\" is not a valid id; expected " + ProfileId.expected("name"));
        }
        return value;
    }
}
