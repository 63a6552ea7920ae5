"""Information packages per TT 05/2025 (E-ARK CSIP, METS, EAD 2002, PREMIS 3.0): SIP, AIP, DIP and BagIt.

``aip_members`` gives the members of a hồ sơ's AIP (the OCFL object's content); ``package_members`` any package;
``write_package`` writes one to a folder, a zip or a BagIt bag; ``validate_package`` checks one.
"""

from sohoa.services.preservation.packages.members import aip_members, open_member, package_members
from sohoa.services.preservation.packages.model import PackageKind, PackageMember, Problem, Scope

__all__ = ["PackageKind", "PackageMember", "Problem", "Scope", "aip_members", "open_member", "package_members"]
