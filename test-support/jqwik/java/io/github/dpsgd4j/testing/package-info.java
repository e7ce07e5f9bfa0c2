/**
 * Test support shared by every module's tests (compiled into each module's test classes by the
 * parent POM, never published): the fixed default seed that makes jqwik properties reproducible.
 */
package io.github.dpsgd4j.testing;
