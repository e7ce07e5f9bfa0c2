/**
 * The append-only, rotatable query log: one JSON object per line for every request the guard
 * decides on (client, time, input digest, decision, reasons, released output).
 */
package io.github.dpsgd4j.serving.log;
