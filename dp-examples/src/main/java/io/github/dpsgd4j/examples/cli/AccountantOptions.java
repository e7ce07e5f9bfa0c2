package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.accounting.AccountantType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The options every accounting subcommand shares: which accountant, and JSON output. */
final class AccountantOptions {

    /**
     * The accountant the command line uses when {@code --accountant} is not given: RDP, whose
     * answers are reproducible bit for bit against Google's dp_accounting (the contract of the
     * accounting commands). Ask for {@code --accountant pld} for the tight value (RDP overshoots
     * epsilon by 8% to 74% over docs/evidence/rdp-vs-pld.csv); training reports and calibration inside the library use PLD.
     */
    static final String DEFAULT_ACCOUNTANT = "rdp";

    @Option(names = "--accountant", paramLabel = "rdp|pld", defaultValue = DEFAULT_ACCOUNTANT,
            converter = AccountantTypeConverter.class,
            description = "Privacy accountant, case-insensitive (default: ${DEFAULT-VALUE}).")
    AccountantType accountant;

    @Option(names = "--json",
            description = "Print the result as one JSON object on the last line. Non-finite numbers are "
                    + "null, with a field <name>_non_finite saying \"Infinity\" or \"NaN\".")
    boolean json;

    /** Parses {@link AccountantType} names case-insensitively. */
    static final class AccountantTypeConverter implements ITypeConverter<AccountantType> {
        @Override
        public AccountantType convert(String value) {
            for (AccountantType type : AccountantType.values()) {
                if (type.name().equalsIgnoreCase(value.trim())) {
                    return type;
                }
            }
            throw new TypeConversionException("expected one of " + Arrays.stream(AccountantType.values())
                    .map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                    + " but was '" + value + "'");
        }
    }
}
