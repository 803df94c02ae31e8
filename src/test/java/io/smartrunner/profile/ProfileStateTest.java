package io.smartrunner.profile;

import io.smartrunner.testkit.RecordEquality;
import org.junit.jupiter.api.Test;

/** ProfileState's written-out equals and hashCode say what the record's generated ones would. */
class ProfileStateTest {
    @Test
    void twoStatesAreEqualExactlyWhenEveryComponentIs() throws Exception {
        RecordEquality.check(ProfileState.class);
    }
}
