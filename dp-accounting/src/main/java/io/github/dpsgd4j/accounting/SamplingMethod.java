package io.github.dpsgd4j.accounting;

/**
 * How each DP-SGD step's batch was drawn, as recorded in a {@link PrivacyLedger} and carried by a
 * {@link PrivacyGuarantee}. The accountants' theorems assume {@link #POISSON}; a history with any
 * other method gets the same numbers, but they are not a certified bound.
 */
public enum SamplingMethod {
    /**
     * Each example joins each step's batch independently with probability q (Poisson sampling),
     * what every accountant here assumes (Mironov, Talwar, Zhang 2019, arXiv:1908.10530; Abadi et
     * al. 2016, arXiv:1607.00133). The guarantee is certified.
     */
    POISSON("poisson sampling", true),
    /**
     * Each epoch shuffles the data and cuts it into batches of a fixed size (about q N). Common in
     * practice, but the Poisson analysis does not cover it and can under-state its epsilon (Chua
     * et al. 2024, "How Private are DP-SGD Implementations?", arXiv:2403.17673): the figure is an
     * approximation, not a certified bound.
     */
    SHUFFLED_FIXED_SIZE("shuffled fixed-size batches", false);

    private final String description;
    private final boolean certified;

    SamplingMethod(String description, boolean certified) {
        this.description = description;
        this.certified = certified;
    }

    /** Whether an accountant's epsilon for steps drawn this way is a proved upper bound. */
    public boolean isCertified() {
        return certified;
    }

    /** A short phrase for reports, for example {@code "shuffled fixed-size batches"}. */
    public String description() {
        return description;
    }
}
