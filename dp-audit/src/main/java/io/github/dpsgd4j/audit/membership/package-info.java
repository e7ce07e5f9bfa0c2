/**
 * Membership inference: the loss-threshold attack (Yeom, Giacomelli, Fredrikson and Jha 2018,
 * "Privacy risk in machine learning: analyzing the connection to overfitting", CSF) and the
 * likelihood-ratio attack LiRA with shadow models (Carlini, Chien, Nasr, Song, Terzis and
 * Tram&egrave;r 2022, "Membership inference attacks from first principles", IEEE S&amp;P), online and
 * offline, against DL4J classifiers, optionally through an output-hardening policy.
 */
package io.github.dpsgd4j.audit.membership;
